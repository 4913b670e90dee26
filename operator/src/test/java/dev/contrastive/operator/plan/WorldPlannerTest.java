package dev.contrastive.operator.plan;

import static dev.contrastive.operator.testing.Fixtures.gpuNode;
import static dev.contrastive.operator.testing.Fixtures.tainted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WorldPlannerTest {

  private final ContrastiveTrainingRunSpec spec = Fixtures.run("r", "ns").getSpec();

  @Test
  void everyEligibleGpuNodeGetsOneRankInNameOrder() {
    WorldPlan plan = WorldPlanner.plan(spec, List.of(
        gpuNode("gpu-c", 1).build(), gpuNode("gpu-a", 1).build(), gpuNode("gpu-b", 2).build()));

    assertThat(plan.world()).contains(World.pinned(List.of("gpu-a", "gpu-b", "gpu-c")));
  }

  @Test
  void nodesWithoutEnoughGpusOrNotReadyOrCordonedAreLeftOut() {
    spec.resources.gpusPerNode = 2;
    Node notReady = gpuNode("not-ready", 2).editStatus().editFirstCondition().withStatus("False").endCondition()
        .endStatus().build();
    Node cordoned = gpuNode("cordoned", 2).editSpec().withUnschedulable(true).endSpec().build();
    Node cpuOnly = new NodeBuilder(gpuNode("cpu", 0).build()).build();

    WorldPlan plan = WorldPlanner.plan(spec, List.of(
        gpuNode("one-gpu", 1).build(), notReady, cordoned, cpuOnly, gpuNode("two-gpus", 2).build()));

    assertThat(plan.world()).contains(World.pinned(List.of("two-gpus")));
  }

  @Test
  void gpuResourceNameChoosesWhichAllocatableCounts() {
    spec.resources.gpuResourceName = "amd.com/gpu";
    Node amd = gpuNode("amd", 0).editStatus().addToAllocatable("amd.com/gpu",
        new io.fabric8.kubernetes.api.model.Quantity("4")).endStatus().build();

    assertThat(WorldPlanner.plan(spec, List.of(amd, gpuNode("nvidia", 1).build())).world())
        .contains(World.pinned(List.of("amd")));
  }

  @Test
  void nodeSelectorKeepsOnlyLabelledNodes() {
    spec.nodeSelector.put("pool", "train");
    Node labelled = gpuNode("labelled", 1).editMetadata().addToLabels("pool", "train").endMetadata().build();

    assertThat(WorldPlanner.plan(spec, List.of(labelled, gpuNode("other", 1).build())).world())
        .contains(World.pinned(List.of("labelled")));
  }

  @Test
  void taintedNodesCountOnlyWhenTolerated() {
    Node tainted = tainted(gpuNode("tainted", 1).build(), "nvidia.com/gpu", "NoSchedule");
    Node preferOnly = tainted(gpuNode("prefer", 1).build(), "spot", "PreferNoSchedule");

    assertThat(WorldPlanner.plan(spec, List.of(tainted, preferOnly)).world())
        .contains(World.pinned(List.of("prefer")));

    spec.tolerations.add(new TolerationBuilder().withKey("nvidia.com/gpu").withOperator("Exists")
        .withEffect("NoSchedule").build());
    assertThat(WorldPlanner.plan(spec, List.of(tainted, preferOnly)).world())
        .contains(World.pinned(List.of("prefer", "tainted")));
  }

  @Test
  void maxNodesCapsTheWorld() {
    spec.maxNodes = 2;

    assertThat(WorldPlanner.plan(spec, List.of(gpuNode("c", 1).build(), gpuNode("a", 1).build(),
        gpuNode("b", 1).build())).world()).contains(World.pinned(List.of("a", "b")));
  }

  @Test
  void noMatchingNodeIsPendingWithAMessageNamingTheSettings() {
    WorldPlan plan = WorldPlanner.plan(spec, List.of(gpuNode("cpu", 0).build()));

    assertThat(plan.world()).isEmpty();
    assertThat(plan.reason()).isEqualTo("NoMatchingNodes");
    assertThat(plan.message()).contains("spec.nodeSelector", "spec.tolerations",
        "spec.resources.gpuResourceName", "nvidia.com/gpu");
  }

  @Test
  void zeroGpusPerNodeRunsTheFixedNumberOfUnpinnedWorkers() {
    spec.resources.gpusPerNode = 0;
    spec.workers = 3;

    assertThat(WorldPlanner.plan(spec, List.of(gpuNode("gpu", 1).build())).world())
        .contains(World.unpinned(3));
  }
  @Test
  void nodesWhoseGpusOtherPodsHoldAreLeftOut() {
    spec.resources.gpusPerNode = 2;

    WorldPlan plan = WorldPlanner.plan(spec, List.of(gpuNode("full", 2).build(), gpuNode("half", 4).build(),
        gpuNode("busy", 4).build(), gpuNode("idle", 2).build()),
        Map.of("full", BigDecimal.valueOf(2), "half", BigDecimal.valueOf(2), "busy", BigDecimal.valueOf(3)));

    assertThat(plan.world()).contains(World.pinned(List.of("half", "idle")));
  }

  @Test
  void maxNodesCountsOnlyNodesWithFreeGpus() {
    spec.maxNodes = 2;

    WorldPlan plan = WorldPlanner.plan(spec, List.of(gpuNode("a", 1).build(), gpuNode("b", 1).build(),
        gpuNode("c", 1).build()), Map.of("a", BigDecimal.ONE));

    assertThat(plan.world()).contains(World.pinned(List.of("b", "c")));
  }

  @Test
  void tooFewFreeNodesWaitSayingHowManyGpusAreFreeWhere() {
    spec.minNodes = 2;

    WorldPlan plan = WorldPlanner.plan(spec, List.of(gpuNode("a", 1).build(), gpuNode("b", 2).build(),
        gpuNode("c", 4).build()), Map.of("a", BigDecimal.ONE, "b", BigDecimal.valueOf(2), "c", BigDecimal.valueOf(3)));

    assertThat(plan.world()).isEmpty();
    assertThat(plan.reason()).isEqualTo("NotEnoughFreeGpus");
    assertThat(plan.message()).contains("needs 2 nodes with 1 free nvidia.com/gpu (spec.minNodes 2), 1 found",
        "by node: c 1/4, a 0/1, b 0/2");
  }

  @Test
  void aLargeClusterNamesTheFreestTenNodesAndCountsTheRest() {
    List<Node> nodes = IntStream.range(0, 14).mapToObj(i -> gpuNode(String.format("n%02d", i), 1).build()).toList();
    Map<String, BigDecimal> allBusy = nodes.stream()
        .collect(Collectors.toMap(n -> n.getMetadata().getName(), n -> BigDecimal.ONE));

    WorldPlan plan = WorldPlanner.plan(spec, nodes, allBusy);

    assertThat(plan.message()).contains("needs 1 node with 1 free", "n09 0/1 and 4 more").doesNotContain("n10");
  }
}
