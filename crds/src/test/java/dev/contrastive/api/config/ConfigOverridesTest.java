package dev.contrastive.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigOverridesTest {

  static ContrastiveTrainingRunSpec resolveWith(String... args) {
    return ConfigResolver.resolve(ConfigOverrides.apply(ConfigResolverTest.minimal(), List.of(args)));
  }

  @Test
  void groupChoicePicksThePreset() {
    ContrastiveTrainingRunSpec spec = resolveWith("architecture=parallel_vit_base", "optimizer=adamw");

    assertThat(spec.architecture.preset).isEqualTo("parallel_vit_base");
    assertThat(spec.architecture.width).isEqualTo(768);
    assertThat(spec.architecture.heads).isEqualTo(12);
    assertThat(spec.optimizer.type).isEqualTo("adamw");
    assertThat(spec.optimizer.weightDecay).isEqualTo(0.05);
  }

  @Test
  void dottedKeysSetTheRunFilesKeys() {
    ContrastiveTrainingRunSpec spec = resolveWith("optimizer.lr=5e-4", "trainer.maxEpochs=3", "workers=4",
        "resources.gpusPerNode=0", "image=other:2");

    assertThat(spec.optimizer.lr).isEqualTo(5e-4);
    assertThat(spec.trainer.maxEpochs).isEqualTo(3);
    assertThat(spec.workers).isEqualTo(4);
    assertThat(spec.resources.gpusPerNode).isZero();
    assertThat(spec.image).isEqualTo("other:2");
  }

  @Test
  void snakeCaseAndSpecPrefixAreAccepted() {
    ContrastiveTrainingRunSpec spec = resolveWith("trainer.max_epochs=7", "spec.loss.temperature=0.2");

    assertThat(spec.trainer.maxEpochs).isEqualTo(7);
    assertThat(spec.loss.temperature).isEqualTo(0.2);
  }

  @Test
  void mapEntriesAndFlowValuesAreSet() {
    ContrastiveTrainingRunSpec spec = resolveWith("nodeSelector.gpu=a100",
        "tolerations=[{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]");

    assertThat(spec.nodeSelector).containsEntry("gpu", "a100");
    assertThat(spec.tolerations).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
  }

  @Test
  void userValueStillWinsAfterAGroupChoice() {
    ContrastiveTrainingRunSpec spec = resolveWith("optimizer.lr=0.01", "optimizer=sgd");

    assertThat(spec.optimizer.lr).isEqualTo(0.01);
    assertThat(spec.optimizer.momentum).isEqualTo(0.9);
  }

  @Test
  void unknownKeySuggestsTheClosest() {
    assertThatThrownBy(() -> resolveWith("optimizer.lrate=0.1"))
        .isInstanceOfSatisfying(InvalidConfigException.class,
            e -> assertThat(e.field()).isEqualTo("spec.optimizer.lrate"))
        .hasMessageStartingWith("spec.optimizer.lrate: unknown key 'optimizer.lrate'; closest: optimizer.lr, ");
  }

  @Test
  void wrongTypeNamesKeyValueAndType() {
    assertThatThrownBy(() -> resolveWith("optimizer.lr=abc"))
        .hasMessage("spec.optimizer.lr: 'abc' is not a number");
    assertThatThrownBy(() -> resolveWith("trainer.maxEpochs=2.5"))
        .hasMessage("spec.trainer.maxEpochs: '2.5' is not an integer");
  }

  @Test
  void outOfRangeIsRefusedByTheResolver() {
    assertThatThrownBy(() -> resolveWith("trainer.batch_size_per_worker=1"))
        .isInstanceOfSatisfying(InvalidConfigException.class,
            e -> assertThat(e.field()).isEqualTo("spec.trainer.batchSizePerWorker"))
        .hasMessage("spec.trainer.batchSizePerWorker: 1 is out of range; allowed: 2 to 65536");
  }

  @Test
  void unknownPresetChoiceIsRefusedByTheResolver() {
    assertThatThrownBy(() -> resolveWith("dataset=mnist"))
        .hasMessage("spec.dataset.type: unknown preset 'mnist'; allowed: cifar10, imagefolder, huggingface, imagenet, synthetic");
  }

  @Test
  void argumentWithoutEqualsSignIsRefused() {
    assertThatThrownBy(() -> resolveWith("optimizer.lr"))
        .hasMessage("override 'optimizer.lr': expected key=value, e.g. optimizer.lr=5e-4 or optimizer=adamw");
  }
}
