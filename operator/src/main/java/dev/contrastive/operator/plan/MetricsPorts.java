package dev.contrastive.operator.plan;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The container ports of a worker's /metrics endpoints: {@code spec.metrics.port} for local rank
 * 0 and the next ports for the pod's further processes, named so a PodMonitor selects them
 * ({@value #NAME}, {@value #NAME}-1, ...). None when the port is 0.
 */
public final class MetricsPorts {

  public static final String NAME = "metrics";

  private MetricsPorts() {}

  /**
   * Trainer processes per worker pod, each with its own port. The one place to change when a pod
   * runs several processes (resources.processesPerWorker).
   */
  static int processesPerPod(ContrastiveTrainingRunSpec spec) {
    return 1;
  }

  public static List<ContainerPort> of(ContrastiveTrainingRunSpec spec) {
    List<ContainerPort> ports = new ArrayList<>();
    if (spec.metrics == null || spec.metrics.portOf(0) == 0) {
      return ports;
    }
    for (int localRank = 0; localRank < processesPerPod(spec); localRank++) {
      ports.add(new ContainerPortBuilder()
          .withName(localRank == 0 ? NAME : NAME + "-" + localRank)
          .withContainerPort(spec.metrics.portOf(localRank))
          .withProtocol("TCP")
          .build());
    }
    return ports;
  }
}
