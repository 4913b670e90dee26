package dev.contrastive.trainer.report;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Picks where progress goes: the run's status in a cluster, or nowhere (logs only). */
public final class StatusWriters {

  private StatusWriters() {}

  /**
   * A {@link KubernetesStatusWriter} when RUN_NAME and NAMESPACE are set and a kube API is
   * configured (in-cluster service account or KUBECONFIG / ~/.kube/config); else {@link
   * StatusWriter#NONE}. Reachability is not probed: a failing write is logged and retried by the
   * {@link ProgressReporter}, never fatal.
   */
  public static StatusWriter fromEnvironment(Map<String, String> env) {
    String run = env.get("RUN_NAME");
    String namespace = env.get("NAMESPACE");
    if (run == null || run.isBlank() || namespace == null || namespace.isBlank()) {
      return StatusWriter.NONE;
    }
    if (!kubeApiConfigured(env)) {
      return StatusWriter.NONE;
    }
    KubernetesClient client = new KubernetesClientBuilder().withConfig(bounded(Config.autoConfigure(null))).build();
    return new KubernetesStatusWriter(client, namespace, run);
  }

  /**
   * Short timeouts and one retry: the writer runs off the training thread, but a PATCH stuck for
   * Fabric8's defaults (ten retries with back-off) would hold back every later report and the
   * final one at the end of the run; the {@link ProgressReporter} retries later anyway.
   */
  static Config bounded(Config config) {
    config.setConnectionTimeout(5_000);
    config.setRequestTimeout(10_000);
    config.setRequestRetryBackoffLimit(1);
    return config;
  }

  // Fabric8 falls back to https://kubernetes.default.svc even outside a cluster; only a real hint counts.
  private static boolean kubeApiConfigured(Map<String, String> env) {
    return env.containsKey("KUBERNETES_SERVICE_HOST")
        || env.containsKey("KUBECONFIG")
        || Files.isRegularFile(Path.of(System.getProperty("user.home"), ".kube", "config"));
  }
}
