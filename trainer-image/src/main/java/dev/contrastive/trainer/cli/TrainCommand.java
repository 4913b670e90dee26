package dev.contrastive.trainer.cli;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.data.Datasets;
import dev.contrastive.trainer.device.Placement;
import dev.contrastive.trainer.dist.AllReduceAlgorithm;
import dev.contrastive.trainer.dist.NodeLayout;
import dev.contrastive.trainer.dist.ProcessGroup;
import dev.contrastive.trainer.engine.CpuIsa;
import dev.contrastive.trainer.engine.GradientSelfCheck;
import dev.contrastive.trainer.observe.Observability;
import dev.contrastive.trainer.observe.RunIdentity;
import dev.contrastive.trainer.observe.Observers;
import dev.contrastive.trainer.report.StatusMessages;
import dev.contrastive.trainer.report.StatusWriter;
import dev.contrastive.trainer.report.StatusWriters;
import dev.contrastive.trainer.train.RunCheckpointFolder;
import dev.contrastive.trainer.train.TrainingRun;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Trains. As one worker of a gang when the environment says so (RANK, WORLD_SIZE, ...: the
 * operator's pods), alone, or as the launcher of {@code --nproc} local workers (like torchrun).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train (or resume from the newest checkpoint in the run's folder of checkpoint.mountPath: "
        + "<mountPath>/<namespace>/<name>/<uid>).")
final class TrainCommand implements Callable<Integer> {

  @ParentCommand TrainerCli root;
  @Mixin RunFileOptions run;

  @Option(names = "--nproc", paramLabel = "N", defaultValue = "1",
      description = "Start N local worker processes per node (rank 0..N-1) and fail if one fails.")
  int nproc;

  @Option(names = "--nodes", paramLabel = "M", defaultValue = "1",
      description = "With --nproc: simulate M nodes on this machine (M x N ranks, NODE_RANK 0..M-1).")
  int nodes;

  @Option(names = "--stop-after-epochs", paramLabel = "E",
      description = "Stop after E epochs in total (checkpoint written), as a preempted run would; "
          + "a later train resumes.")
  Integer stopAfterEpochs;

  @Override
  public Integer call() {
    ContrastiveTrainingRun resolved = run.resolve(root.env);
    ContrastiveTrainingRunSpec spec = resolved.getSpec();
    if (nproc < 1 || nodes < 1) {
      throw new UserInputException("--nproc " + nproc + " --nodes " + nodes + " is not allowed; use 1 or more");
    }
    // A worker without its data fails here, once per pod, rather than after joining its gang; a Hub
    // data set is downloaded here too (by the pod's launcher, whose processes then find it in the
    // cache), or ranks that joined would wait for it in their first collective.
    if (root.env.containsKey(NodeLayout.LOCAL_RANK)) {
      Datasets.checkSource(spec.dataset);
    } else {
      Datasets.prepare(spec.dataset, root.env, downloadProgress(spec));
    }
    OptionalInt children = ChildProcesses.launchIfParent(root, nodes, nproc, this::workerArguments);
    if (children.isPresent()) {
      return children.getAsInt();
    }
    checkGradients();
    Placement placement = Placement.fromEnvironment(root.env);
    try (ProcessGroup group = ProcessGroup.fromEnvironment(root.env, spec.distributed)) {
      if (group.rank() == 0 && NativeAllocator.inUse().equals(NativeAllocator.GLIBC)) {
        root.out.println("note: libtorch runs on glibc malloc here; steps of large batches run up to 1.3x"
            + " faster with tcmalloc (install libtcmalloc-minimal4, start through scripts/with-tcmalloc)");
      }
      TrainingRun.Result result;
      try (AllReduceAlgorithm allReduce = AllReduceAlgorithm.open(group, root.env, spec.distributed);
          Observers observers = Observability.start(resolved, group.rank(), group.worldSize(), placement.device(),
              root.env)) {
        result = new TrainingRun(spec, group, placement, StatusWriters.fromEnvironment(root.env),
            System.console() != null ? root.out : null, observers)
            .withAllReduce(allReduce)
            .withCheckpointFolder(checkpointFolder(resolved, root.env))
            .withEnvironment(root.env)
            .run(stopAfterEpochs == null ? Integer.MAX_VALUE : stopAfterEpochs);
      }
      if (group.rank() == 0) {
        root.out.println(String.format(Locale.ROOT, "finished: epoch %d step %d loss %.4f knnTop1 %s checkpoint %s",
            result.state().epochsDone(), result.state().step(), result.loss(),
            result.knnTop1() == null ? "-" : String.format(Locale.ROOT, "%.4f", result.knnTop1()),
            result.lastCheckpoint()));
      }
    }
    return ExitCodes.OK;
  }

  /**
   * Download progress to the log and, from the pod of node rank 0 (whose process or launcher is
   * the only one with a writer), into the run's status while no rank trains yet.
   */
  private StatusMessages downloadProgress(ContrastiveTrainingRunSpec spec) {
    boolean rankZeroPod = "0".equals(root.env.getOrDefault("NODE_RANK", "0").strip())
        && "0".equals(root.env.getOrDefault("RANK", "0").strip());
    StatusWriter writer = rankZeroPod && "huggingface".equals(spec.dataset.type)
        ? StatusWriters.fromEnvironment(root.env) : StatusWriter.NONE;
    return new StatusMessages(writer, Duration.ofSeconds(spec.trainer.statusIntervalSeconds), Clock.systemUTC(),
        root.out::println);
  }

  /**
   * Prints the CPU's instruction set and fails (exit code 2, one line) when libtorch computes
   * convolution gradients wrong on it, before any work that training on them would waste. Every
   * worker checks: the nodes of a gang may have different CPUs.
   */
  private void checkGradients() {
    CpuIsa isa = CpuIsa.detect(System.getenv()); // oneDNN reads the process's own environment
    GradientSelfCheck.Result check = GradientSelfCheck.run();
    if (!check.passed()) {
      throw new UserInputException(GradientSelfCheck.failureMessage(check, isa));
    }
    root.out.println(isa.describe() + "; gradient self-check passed (" + check.millis() + " ms)");
  }

  /** This run's own folder on the checkpoint volume: resume reads and pruning touch only it. */
  static Path checkpointFolder(ContrastiveTrainingRun run, Map<String, String> env) {
    RunIdentity id = RunIdentity.of(run, env, 0, 1);
    return RunCheckpointFolder.of(Path.of(run.getSpec().checkpoint.mountPath), id.namespace(), id.runName(), id.uid());
  }

  private List<String> workerArguments() {
    List<String> args = new ArrayList<>(List.of("train"));
    args.addAll(run.runFileArguments(root.env));
    if (stopAfterEpochs != null) {
      args.add("--stop-after-epochs=" + stopAfterEpochs);
    }
    if (root.debug) {
      args.add("--debug");
    }
    args.addAll(run.overrides);
    return args;
  }
}
