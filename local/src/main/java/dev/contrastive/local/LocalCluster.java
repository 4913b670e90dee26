package dev.contrastive.local;

import dev.contrastive.local.api.ApiServer;
import dev.contrastive.local.api.CrdInstaller;
import dev.contrastive.local.nodes.SimulatedNodes;
import dev.contrastive.local.operator.InProcessOperator;
import dev.contrastive.local.pods.ContainerCommands;
import dev.contrastive.local.pods.NodeEnv;
import dev.contrastive.local.pods.PodRunner;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A whole cluster on this machine: the API server with the CRD, simulated GPU nodes, the operator
 * in-process and the pod runner. Closing stops them in reverse order (pods first, API server
 * last), once, also from a shutdown hook when the user presses Ctrl-C.
 */
public final class LocalCluster implements AutoCloseable {

  private final ApiServer server;
  private final InProcessOperator operator;
  private final PodRunner runner;
  private boolean closed;

  private LocalCluster(ApiServer server, InProcessOperator operator, PodRunner runner) {
    this.server = server;
    this.operator = operator;
    this.runner = runner;
  }

  /**
   * Takes ownership of {@code server} (closed on failure too).
   *
   * @param workDir pod folders, volumes, logs and checkpoints
   * @param processDir working directory of the pods' processes
   */
  public static LocalCluster start(ApiServer server, int nodes, ContainerCommands commands, Path workDir,
      Path processDir, PrintStream console) {
    return start(server, nodes, 1, commands, workDir, processDir, console);
  }

  /** As above with {@code gpusPerNode} GPUs on each simulated node. */
  public static LocalCluster start(ApiServer server, int nodes, int gpusPerNode, ContainerCommands commands,
      Path workDir, Path processDir, PrintStream console) {
    InProcessOperator operator = null;
    LocalCluster cluster = null;
    try {
      KubernetesClient client = server.client();
      CrdInstaller.install(client, Duration.ofSeconds(60));
      SimulatedNodes.create(client, nodes, gpusPerNode);
      operator = InProcessOperator.start(client, server.keepsFieldManagedStatus());
      PodRunner runner = new PodRunner(client, commands, workDir, processDir, console)
          .withNodeEnv(NodeEnv.of(server.podKubeconfig(workDir), System.getenv()))
          .start();
      cluster = new LocalCluster(server, operator, runner);
      return cluster;
    } finally {
      // Errors too (a missing class from a stale build): never leave etcd and the API server running.
      if (cluster == null) {
        if (operator != null) {
          operator.close();
        }
        server.close();
      }
    }
  }

  public KubernetesClient client() {
    return server.client();
  }

  public ApiServer server() {
    return server;
  }

  public InProcessOperator operator() {
    return operator;
  }

  public PodRunner pods() {
    return runner;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    runner.close();
    operator.close();
    server.close();
  }
}
