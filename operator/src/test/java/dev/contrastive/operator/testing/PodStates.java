package dev.contrastive.operator.testing;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;

/** Pod statuses as the kubelet and scheduler would report them; tests patch them onto pods. */
public final class PodStates {

  private PodStates() {}

  public static PodBuilder worker(String run, int rank) {
    return new PodBuilder().withNewMetadata().withName(run + "-worker-" + rank)
        .addToLabels("contrastive.dev/run", run).addToLabels("contrastive.dev/rank", Integer.toString(rank))
        .endMetadata();
  }

  public static PodStatus running() {
    return new PodStatusBuilder().withPhase("Running")
        .addNewCondition().withType("Ready").withStatus("True").endCondition()
        .addToContainerStatuses(new ContainerStatusBuilder().withName("trainer").withReady(true)
            .withNewState().withNewRunning().endRunning().endState().build())
        .build();
  }

  public static PodStatus succeeded() {
    return terminated("Succeeded", 0, "Completed");
  }

  public static PodStatus failed(int exitCode, String reason) {
    return terminated("Failed", exitCode, reason);
  }

  public static PodStatus unschedulable(String message) {
    return new PodStatusBuilder().withPhase("Pending")
        .addNewCondition().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
            .withMessage(message).endCondition()
        .build();
  }

  public static PodStatus waiting(String reason, String message) {
    return new PodStatusBuilder().withPhase("Pending")
        .addToContainerStatuses(new ContainerStatusBuilder().withName("trainer")
            .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState().build())
        .build();
  }

  private static PodStatus terminated(String phase, int exitCode, String reason) {
    return new PodStatusBuilder().withPhase(phase)
        .addToContainerStatuses(new ContainerStatusBuilder().withName("trainer")
            .withNewState().withNewTerminated().withExitCode(exitCode).withReason(reason).endTerminated().endState()
            .build())
        .build();
  }
}
