package dev.contrastive.local;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.local.api.ApiServer;
import dev.contrastive.local.api.ApiServerChoice;
import dev.contrastive.local.pods.ContainerCommands;
import dev.contrastive.local.pods.TrainerCommand;
import dev.contrastive.local.run.RunFile;
import dev.contrastive.local.run.StatusLine;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code contrastive local run.yaml}: a whole run on this machine. An embedded API server, N
 * simulated GPU nodes, the pod runner in place of scheduler and kubelets, then the run itself,
 * watched until it Succeeds (exit 0) or Fails (exit 1). Bad input exits 2 with one line.
 */
@Command(name = "contrastive local", mixinStandardHelpOptions = true,
    description = "Runs a ContrastiveTrainingRun on this machine, no cluster needed.")
public final class LocalMain implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "RUN_YAML", description = "The run, e.g. examples/quickstart.yaml.")
  Path runFile;

  @Option(names = "--nodes", defaultValue = "2", description = "Simulated GPU nodes (1-16, default ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--api-server", defaultValue = "auto",
      description = "auto (real kube-apiserver when possible, else mock), real or mock.")
  ApiServerChoice.Mode apiServer;

  @Option(names = "--work-dir", description = "Pod folders, logs and checkpoints (default: a new temp folder).")
  Path workDir;

  @Option(names = "--repo-root", defaultValue = ".", description = "Repository root holding trainer-image/target.")
  Path repoRoot;

  private final PrintStream out;

  public LocalMain() {
    this(System.out);
  }

  /** Prints the run's lines to {@code out} (tests). */
  LocalMain(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new LocalMain());
    cli.setParameterExceptionHandler((e, a) -> {
      System.err.println("contrastive local: " + e.getMessage());
      return 2;
    });
    System.exit(cli.execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (nodes < 1 || nodes > 16) {
      System.err.println("contrastive local: --nodes must be 1 to 16, got " + nodes);
      return 2;
    }
    ContrastiveTrainingRun run;
    try {
      run = RunFile.load(runFile);
    } catch (RunFile.BadRunFileException e) {
      System.err.println("contrastive local: " + e.getMessage());
      return 2;
    }
    TrainerCommand trainer;
    try {
      trainer = TrainerCommand.fromBuild(repoRoot);
    } catch (IOException e) {
      System.err.println("contrastive local: " + e.getMessage());
      return 1;
    }
    String namespace = Objects.requireNonNullElse(run.getMetadata().getNamespace(), "default");
    run.getMetadata().setNamespace(namespace);
    Path work = workDir != null ? workDir : Files.createTempDirectory("contrastive-local-");

    ApiServer server = ApiServerChoice.start(apiServer, work.resolve("kubeconfig"), System.getenv(), out::println);
    out.println("API server: " + server.description());
    // simulated nodes advertise the GPUs the run asks for; each pod runs one process per GPU
    int gpus = run.getSpec().resources == null || run.getSpec().resources.gpusPerNode == null
        ? 1 : Math.max(1, run.getSpec().resources.gpusPerNode);
    try (LocalCluster cluster = LocalCluster.start(server, nodes, gpus, commands(run, trainer), work,
        Path.of("").toAbsolutePath(), out)) {
      // Ctrl-C: stop the trainer processes, kube-apiserver and etcd, not only this JVM.
      Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
      KubernetesClient client = cluster.client();
      out.println("nodes: " + nodes + " simulated GPU nodes of " + gpus + " GPU" + (gpus == 1 ? "" : "s")
          + "; operator in-process; pods run as local processes (one per GPU each)");
      out.println("work dir: " + work);
      server.kubeconfig().ifPresent(k -> out.println("watch from another terminal: kubectl --kubeconfig " + k
          + " get ctrun -w"));
      out.println("trainer /metrics for Prometheus (file_sd_configs): " + cluster.pods().metricsTargets());
      if (client.namespaces().withName(namespace).get() == null) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
            .create();
      }
      try {
        client.resource(run).create();
      } catch (KubernetesClientException e) {
        System.err.println("contrastive local: the API server refused " + runFile + ": "
            + (e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage()));
        return 2;
      }
      return watch(client, namespace, run.getMetadata().getName());
    }
  }

  private static ContainerCommands commands(ContrastiveTrainingRun run, TrainerCommand trainer) {
    return new ContainerCommands().map(run.getSpec().image, trainer);
  }

  /**
   * Prints a line whenever the run's columns or message change, as a watch reports them; returns
   * the exit code of the final phase.
   */
  private int watch(KubernetesClient client, String namespace, String name)
      throws InterruptedException, ExecutionException {
    out.println(StatusLine.HEADER);
    AtomicReference<String> last = new AtomicReference<>();
    Instant created = Instant.now();
    // informOnCondition: Fabric8's informer-backed wait; it tests the condition on each event, with
    // an empty list once the run is gone
    List<ContrastiveTrainingRun> end = client.resources(ContrastiveTrainingRun.class).inNamespace(namespace)
        .withName(name).informOnCondition(runs -> runs.isEmpty() || finished(runs.get(0), created, last)).get();
    if (end.isEmpty()) {
      System.err.println("contrastive local: run " + namespace + "/" + name + " was deleted");
      return 1;
    }
    ContrastiveTrainingRunStatus status = end.get(0).getStatus();
    printFinal(status);
    return status.phase == Phase.Succeeded ? 0 : 1;
  }

  /** Prints the run's line when its columns or message differ from {@code last}; true once it has finished. */
  private boolean finished(ContrastiveTrainingRun run, Instant created, AtomicReference<String> last) {
    String columns = StatusLine.columns(run) + StatusLine.message(run);
    if (!columns.equals(last.getAndSet(columns))) {
      out.println(StatusLine.line(run, created, Instant.now()));
    }
    ContrastiveTrainingRunStatus status = run.getStatus();
    return status != null && status.phase != null && status.phase.isFinished();
  }

  private void printFinal(ContrastiveTrainingRunStatus status) {
    out.println("phase: " + status.phase + (status.message == null ? "" : " (" + status.message + ")"));
    if (status.workers != null && status.workers.desired != null && status.workers.worldSize != null) {
      out.println("workers: " + status.workers.desired + " pods, world size " + status.workers.worldSize
          + " (training processes)");
    }
    if (status.progress != null) {
      out.println("loss: " + format(status.progress.loss) + "   kNN top-1: " + format(status.progress.knnTop1));
      out.println("checkpoint: " + status.progress.lastCheckpoint);
    }
  }

  private static String format(Double value) {
    return value == null ? "-" : String.format(Locale.ROOT, "%.4f", value);
  }
}
