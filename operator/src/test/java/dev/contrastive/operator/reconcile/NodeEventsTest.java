package dev.contrastive.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.api.status.WorkersStatus;
import dev.contrastive.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeEventsTest {

  private static final Node NODE = Fixtures.gpuNode("a", 8).build();

  @Test
  void aHeartbeatChangesNoPlan() {
    Node beat = new NodeBuilder(NODE).editStatus().editFirstCondition().withLastHeartbeatTime("2026-12-02T10:00:00Z")
        .endCondition().addNewImage().withNames("trainer:1").endImage().endStatus().build();

    assertThat(NodeEvents.changesPlanning(NODE, beat)).isFalse();
  }

  @Test
  void whatAPlanReadsDoesChangeIt() {
    assertThat(NodeEvents.changesPlanning(NODE, new NodeBuilder(NODE).editStatus().editFirstCondition()
        .withStatus("False").endCondition().endStatus().build())).as("readiness").isTrue();
    assertThat(NodeEvents.changesPlanning(NODE, new NodeBuilder(NODE).editStatus()
        .addToAllocatable("nvidia.com/gpu", new Quantity("4")).endStatus().build())).as("allocatable").isTrue();
    assertThat(NodeEvents.changesPlanning(NODE, new NodeBuilder(NODE).editMetadata()
        .addToLabels("pool", "train").endMetadata().build())).as("labels").isTrue();
    assertThat(NodeEvents.changesPlanning(NODE, new NodeBuilder(NODE).editSpec()
        .withUnschedulable(true).endSpec().build())).as("cordon").isTrue();
    assertThat(NodeEvents.changesPlanning(NODE, Fixtures.tainted(NODE, "dedicated", "NoSchedule"))).as("taint")
        .isTrue();
  }

  @Test
  void aRunWithoutAGangHearsOfEveryNode() {
    assertThat(NodeEvents.concerns(run(null, List.of()), NODE)).isTrue();
    assertThat(NodeEvents.concerns(run(Phase.Pending, List.of("b")), NODE)).isTrue();
    assertThat(NodeEvents.concerns(run(Phase.Queued, List.of()), NODE)).isTrue();
  }

  @Test
  void aRunningGangHearsOnlyOfItsOwnNodes() {
    assertThat(NodeEvents.concerns(run(Phase.Running, List.of("a", "b")), NODE)).isTrue();
    assertThat(NodeEvents.concerns(run(Phase.Running, List.of("b", "c")), NODE)).isFalse();
    assertThat(NodeEvents.concerns(run(Phase.Running, List.of()), NODE)).as("placed by a queue").isFalse();
  }

  @Test
  void aFinishedOrSuspendedRunHearsOfNoNode() {
    assertThat(NodeEvents.concerns(run(Phase.Succeeded, List.of("a")), NODE)).isFalse();
    assertThat(NodeEvents.concerns(run(Phase.Failed, List.of("a")), NODE)).isFalse();
    assertThat(NodeEvents.concerns(run(Phase.Suspended, List.of()), NODE)).isFalse();
  }

  private static ContrastiveTrainingRun run(Phase phase, List<String> nodes) {
    ContrastiveTrainingRun run = Fixtures.run("simclr", "ns");
    if (phase != null) {
      ContrastiveTrainingRunStatus status = new ContrastiveTrainingRunStatus();
      status.phase = phase;
      status.workers = WorkersStatus.of(nodes.size(), 0, nodes);
      run.setStatus(status);
    }
    return run;
  }
}
