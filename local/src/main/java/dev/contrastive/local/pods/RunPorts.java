package dev.contrastive.local.pods;

import dev.contrastive.operator.plan.RunNames;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every pod runs on this machine, so the rank 0 of two runs would both listen on the run's
 * MASTER_PORT (29500 unless the run sets another) where separate pods in a cluster would not
 * collide. As if each pod had its own network, every run gets a free local port for MASTER_PORT:
 * the same for all of its pods and for its restarted gangs.
 */
final class RunPorts {

  static final String MASTER_PORT = "MASTER_PORT";

  private final Map<String, String> ports = new ConcurrentHashMap<>();

  /** The local port for the pod's MASTER_PORT; pods of no run keep their own value. */
  String masterPort(Pod pod, String requested) {
    return run(pod).map(run -> ports.computeIfAbsent(run, any -> Integer.toString(freePort()))).orElse(requested);
  }

  private static Optional<String> run(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return Optional.ofNullable(labels == null ? null : labels.get(RunNames.RUN_LABEL))
        .map(run -> pod.getMetadata().getNamespace() + "/" + run);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free local port for a run's MASTER_PORT", e);
    }
  }
}
