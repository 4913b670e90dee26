package dev.contrastive.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.spec.CheckpointSpec;
import dev.contrastive.api.spec.DistributedSpec;
import dev.contrastive.api.spec.ResourcesSpec;
import dev.contrastive.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.Node;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operator plans from the resolved spec: a run that leaves settings to their defaults (groups
 * absent, settings null, as a run file or a server without schema defaults hands them over) gets
 * the same world, pods, Service and config as one that spells every default out.
 */
class ResolvedRunTest {

  private final List<Node> nodes = List.of(Fixtures.gpuNode("gpu-a", 1).build(), Fixtures.gpuNode("gpu-b", 1).build());

  @Test
  void aRunRelyingOnDefaultsPlansAsOneSpellingThemOut() {
    ContrastiveTrainingRun implicit = Fixtures.run("simclr", "team-a");
    implicit.getSpec().resources = null;
    implicit.getSpec().checkpoint = null;
    implicit.getSpec().distributed = new DistributedSpec();
    implicit.getSpec().distributed.port = null;
    implicit.getSpec().architecture.preset = "resnet18";

    ContrastiveTrainingRun explicit = Fixtures.run("simclr", "team-a");
    explicit.getSpec().resources = new ResourcesSpec();
    explicit.getSpec().resources.gpusPerNode = 1;
    explicit.getSpec().resources.gpuResourceName = "nvidia.com/gpu";
    explicit.getSpec().checkpoint = new CheckpointSpec();
    explicit.getSpec().checkpoint.mountPath = "/checkpoints";
    explicit.getSpec().distributed.port = 29500;
    explicit.getSpec().architecture.preset = "resnet18";
    explicit.getSpec().architecture.family = "resnet";
    explicit.getSpec().architecture.depth = 18;

    ResolvedRun.resolveInPlace(implicit);
    ResolvedRun.resolveInPlace(explicit);

    World world = WorldPlanner.plan(implicit.getSpec(), nodes).world().orElseThrow();
    assertThat(WorldPlanner.plan(explicit.getSpec(), nodes).world()).contains(world);
    assertThat(world.nodes()).containsExactly("gpu-a", "gpu-b");
    assertThat(WorkerPods.pods(implicit, world)).isEqualTo(WorkerPods.pods(explicit, world));
    assertThat(Rendezvous.service(implicit)).isEqualTo(Rendezvous.service(explicit));
    assertThat(TrainingConfig.yaml(implicit)).isEqualTo(TrainingConfig.yaml(explicit));
    assertThat(Rendezvous.port(implicit)).isEqualTo(29500);
  }

  @Test
  void resolvingTakesThePresetsSettings() {
    ContrastiveTrainingRun run = Fixtures.run("simclr", "team-a");
    run.getSpec().architecture.preset = "parallel_vit_s4";

    ResolvedRun.resolveInPlace(run);

    assertThat(run.getSpec().architecture.family).isEqualTo("parallel_vit");
    assertThat(run.getSpec().architecture.patchSize).isEqualTo(4);
  }
}
