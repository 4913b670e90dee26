package dev.contrastive.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.config.RunFiles;
import dev.contrastive.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunObjectsTest {

  private final ContrastiveTrainingRun run = Fixtures.run("simclr", "team-a");

  @Test
  void everyObjectIsControlledByTheRun() {
    List<HasMetadata> objects = List.of(
        TrainingConfig.configMap(run, "x"), Rendezvous.service(run), Rendezvous.tokenSecret(run, "t"),
        RunAccess.serviceAccount(run), RunAccess.role(run), RunAccess.roleBinding(run),
        WorkerPods.pod(run, World.unpinned(1), 0));

    for (HasMetadata object : objects) {
      OwnerReference owner = object.getMetadata().getOwnerReferences().get(0);
      assertThat(owner.getKind()).isEqualTo("ContrastiveTrainingRun");
      assertThat(owner.getUid()).isEqualTo("uid-simclr");
      assertThat(owner.getController()).isTrue();
      assertThat(object.getMetadata().getNamespace()).isEqualTo("team-a");
    }
  }

  @Test
  void trainerRoleReachesOnlyThisRunAndItsStatus() {
    Role role = RunAccess.role(run);

    assertThat(role.getRules()).hasSize(3);
    for (PolicyRule rule : role.getRules().subList(0, 2)) {
      assertThat(rule.getApiGroups()).containsExactly("contrastive.dev");
      assertThat(rule.getResourceNames()).containsExactly("simclr");
    }
    assertThat(role.getRules().get(0).getResources()).containsExactly("contrastivetrainingruns");
    assertThat(role.getRules().get(0).getVerbs()).containsExactly("get");
    assertThat(role.getRules().get(1).getResources()).containsExactly("contrastivetrainingruns/status");
    assertThat(role.getRules().get(1).getVerbs()).containsExactly("get", "patch");
    assertThat(role.getRules().get(2).getApiGroups()).containsExactly("");
    assertThat(role.getRules().get(2).getResources()).containsExactly("events");
    assertThat(role.getRules().get(2).getResourceNames()).isEmpty();
    assertThat(role.getRules().get(2).getVerbs()).containsExactly("create");
    assertThat(RunAccess.roleBinding(run).getSubjects().get(0).getName())
        .isEqualTo(RunAccess.serviceAccount(run).getMetadata().getName());
  }

  @Test
  void rendezvousServiceIsHeadlessAndResolvesWorkersBeforeTheyAreReady() {
    var spec = Rendezvous.service(run).getSpec();

    assertThat(spec.getClusterIP()).isEqualTo("None");
    assertThat(spec.getPublishNotReadyAddresses()).isTrue();
    assertThat(spec.getSelector()).containsEntry("contrastive.dev/run", "simclr");
  }

  @Test
  void configIsTheResolvedRunThatTheTrainerCanReadBack() {
    run.getSpec().architecture.preset = "parallel_vit_base";

    ContrastiveTrainingRun read = RunFiles.parse(TrainingConfig.yaml(ResolvedRun.resolveInPlace(run)), "run.yaml");

    assertThat(read.getMetadata().getName()).isEqualTo("simclr");
    assertThat(read.getSpec().architecture.family).isEqualTo("parallel_vit");
    assertThat(read.getSpec().image).isEqualTo(Fixtures.IMAGE);
  }

  @Test
  void unknownPresetIsRefusedNamingTheField() {
    run.getSpec().architecture.preset = "resnet1000";

    assertThatThrownBy(() -> ResolvedRun.resolveInPlace(run))
        .isInstanceOf(InvalidConfigException.class)
        .satisfies(e -> assertThat(((InvalidConfigException) e).field()).isEqualTo("spec.architecture.preset"));
  }
}
