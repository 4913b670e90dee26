package dev.contrastive.operator.plan;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The container ports of a worker's /metrics endpoints: {@code spec.metrics.port} for local rank
 * 0 and the next ports for the pod's further processes (one per GPU), named so a PodMonitor selects
 * them ({@value #NAME}, {@value #NAME}-1, ...). None when the port is 0.
 */
public final class MetricsPorts {

  public static final String NAME = "metrics";

  private MetricsPorts() {}

  public static List<ContainerPort> of(ContrastiveTrainingRunSpec spec) {
    List<ContainerPort> ports = new ArrayList<>();
    if (spec.metrics == null || spec.metrics.portOf(0) == 0) {
      return ports;
    }
    for (int localRank = 0; localRank < WorkerPods.processesPerWorker(spec); localRank++) {
      ports.add(new ContainerPortBuilder()
          .withName(localRank == 0 ? NAME : NAME + "-" + localRank)
          .withContainerPort(spec.metrics.portOf(localRank))
          .withProtocol("TCP")
          .build());
    }
    return ports;
  }
}
