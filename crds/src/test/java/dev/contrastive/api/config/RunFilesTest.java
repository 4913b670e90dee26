package dev.contrastive.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.api.ContrastiveTrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFilesTest {

  static final String GOOD = """
      apiVersion: contrastive.dev/v1alpha1
      kind: ContrastiveTrainingRun
      metadata:
        name: cifar-vit
      spec:
        image: registry.example/trainer:1
        architecture:
          preset: parallel_vit_s4
        dataset:
          type: cifar10
          source: /data/cifar10
        optimizer:
          type: adamw
          lr: 5e-4
        trainer:
          maxEpochs: 3
        nodeSelector:
          gpu: a100
      """;

  @Test
  void readsTheFileUsersApply(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("run.yaml");
    Files.writeString(file, GOOD);

    ContrastiveTrainingRun run = RunFiles.load(file);

    assertThat(run.getMetadata().getName()).isEqualTo("cifar-vit");
    assertThat(run.getSpec().architecture.preset).isEqualTo("parallel_vit_s4");
    assertThat(run.getSpec().optimizer.lr).isEqualTo(5e-4);
    assertThat(run.getSpec().trainer.maxEpochs).isEqualTo(3);
    assertThat(run.getSpec().trainer.batchSizePerWorker).isEqualTo(256);
    assertThat(run.getSpec().nodeSelector).containsEntry("gpu", "a100");
  }

  @Test
  void malformedYamlNamesFileLineAndColumn() {
    String broken = GOOD.replace("    preset: parallel_vit_s4", "    preset: [parallel_vit_s4");

    assertThatThrownBy(() -> RunFiles.parse(broken, "run.yaml"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("run.yaml:9:")
        .hasMessageContaining("malformed YAML")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void unknownFieldNamesItsPathAndTheAllowedKeys() {
    String typo = GOOD.replace("    lr: 5e-4", "    lrr: 5e-4");

    assertThatThrownBy(() -> RunFiles.parse(typo, "run.yaml"))
        .isInstanceOfSatisfying(InvalidConfigException.class,
            e -> assertThat(e.field()).isEqualTo("spec.optimizer.lrr"))
        .hasMessageStartingWith("run.yaml:14:")
        .hasMessageContaining("unknown field spec.optimizer.lrr; allowed: ")
        .hasMessageContaining("epsilon, lr, lrScaling, momentum");
  }

  @Test
  void wrongTypeNamesPathValueAndExpectedType() {
    String text = GOOD.replace("    maxEpochs: 3", "    maxEpochs: three");

    assertThatThrownBy(() -> RunFiles.parse(text, "run.yaml"))
        .isInstanceOfSatisfying(InvalidConfigException.class,
            e -> assertThat(e.field()).isEqualTo("spec.trainer.maxEpochs"))
        .hasMessageEndingWith("spec.trainer.maxEpochs: 'three' is not an integer");
  }

  @Test
  void quotedNumberIsNotAnInteger() {
    String text = GOOD.replace("    maxEpochs: 3", "    maxEpochs: \"3\"");

    assertThatThrownBy(() -> RunFiles.parse(text, "run.yaml"))
        .hasMessageEndingWith("spec.trainer.maxEpochs: '3' is not an integer");
  }

  @Test
  void otherKindIsRefused() {
    String text = GOOD.replace("kind: ContrastiveTrainingRun", "kind: Deployment");

    assertThatThrownBy(() -> RunFiles.parse(text, "run.yaml"))
        .hasMessage("run.yaml: kind: 'Deployment' is not what this file must have; expected ContrastiveTrainingRun");
  }

  static final String CLAIM = """
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata: {name: imagenet}
      spec: {accessModes: [ReadOnlyMany], resources: {requests: {storage: 200Gi}}}
      """;

  @Test
  void aFileWithTheClaimItUsesGivesItsOneRun() {
    ContrastiveTrainingRun run = RunFiles.parse("# data and run\n---\n" + CLAIM + "---\n" + GOOD, "run.yaml");

    assertThat(run.getMetadata().getName()).isEqualTo("cifar-vit");
    assertThat(run.getSpec().optimizer.lr).isEqualTo(5e-4);
  }

  @Test
  void aFileOfSeveralDocumentsNeedsExactlyOneRun() {
    assertThatThrownBy(() -> RunFiles.parse(CLAIM + "---\n" + CLAIM, "run.yaml"))
        .hasMessage("run.yaml: 2 documents, 0 of them ContrastiveTrainingRuns; expected exactly one");
    assertThatThrownBy(() -> RunFiles.parse(GOOD.replace("    lr: 5e-4", "    lrr: 5e-4") + "---\n" + CLAIM, "run.yaml"))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("spec.optimizer.lrr"));
  }

  @Test
  void missingFileIsOneLine(@TempDir Path dir) {
    Path file = dir.resolve("absent.yaml");

    assertThatThrownBy(() -> RunFiles.load(file)).hasMessage(file + ": no such file");
  }

  @Test
  void writtenYamlReadsBackToTheSameRun() {
    ContrastiveTrainingRun run = RunFiles.parse(GOOD, "run.yaml");
    run.setSpec(ConfigResolver.resolve(run.getSpec()));

    String yaml = RunFiles.toYaml(run);

    assertThat(yaml).doesNotContain("null").startsWith("apiVersion: contrastive.dev/v1alpha1\n");
    assertThat(RunFiles.toYaml(RunFiles.parse(yaml, "written.yaml"))).isEqualTo(yaml);
  }
}
