package dev.contrastive.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import org.junit.jupiter.api.Test;

class ConfigResolverTest {

  static ContrastiveTrainingRunSpec minimal() {
    ContrastiveTrainingRunSpec spec = new ContrastiveTrainingRunSpec();
    spec.image = "registry.example/trainer:1";
    return spec;
  }

  @Test
  void presetsFillWhatTheUserLeftOut() {
    ContrastiveTrainingRunSpec spec = minimal();
    spec.architecture.preset = "parallel_vit_s4";
    spec.optimizer.type = "adamw";

    ContrastiveTrainingRunSpec resolved = ConfigResolver.resolve(spec);

    assertThat(resolved.architecture.family).isEqualTo("parallel_vit");
    assertThat(resolved.architecture.width).isEqualTo(384);
    assertThat(resolved.architecture.heads).isEqualTo(6);
    assertThat(resolved.architecture.patchSize).isEqualTo(4);
    assertThat(resolved.optimizer.lr).isEqualTo(1e-3);
    assertThat(resolved.optimizer.beta2).isEqualTo(0.999);
    assertThat(resolved.dataset.imageSize).isEqualTo(32);
  }

  @Test
  void userValuesWinOverThePreset() {
    ContrastiveTrainingRunSpec spec = minimal();
    spec.architecture.preset = "resnet50";
    spec.architecture.stem = "imagenet";
    spec.optimizer.lr = 4.8;

    ContrastiveTrainingRunSpec resolved = ConfigResolver.resolve(spec);

    assertThat(resolved.architecture.stem).isEqualTo("imagenet");
    assertThat(resolved.architecture.depth).isEqualTo(50);
    assertThat(resolved.optimizer.lr).isEqualTo(4.8);
    assertThat(resolved.optimizer.trustCoefficient).isEqualTo(0.001);
  }

  @Test
  void resolvingTwiceChangesNothing() {
    ContrastiveTrainingRunSpec once = ConfigResolver.resolve(minimal());

    ContrastiveTrainingRunSpec twice = ConfigResolver.resolve(once);

    assertThat(RunFiles.toYaml(twice)).isEqualTo(RunFiles.toYaml(once));
  }

  @Test
  void imagenetIsTheHuggingFacePresetForImagenet1k() {
    ContrastiveTrainingRunSpec spec = ConfigOverrides.apply(minimal(),
        java.util.List.of("dataset=imagenet", "architecture=parallel_vit_base", "trainer.maxEpochs=3"));

    ContrastiveTrainingRunSpec resolved = ConfigResolver.resolve(spec);

    assertThat(resolved.dataset.type).isEqualTo("huggingface");
    assertThat(resolved.dataset.source).isEqualTo("ILSVRC/imagenet-1k");
    assertThat(resolved.dataset.revision).isEqualTo("main");
    assertThat(resolved.dataset.trainSplit).isEqualTo("train");
    assertThat(resolved.dataset.evalSplit).isEqualTo("validation");
    assertThat(resolved.dataset.imageColumn).isEqualTo("image");
    assertThat(resolved.dataset.labelColumn).isEqualTo("label");
    assertThat(resolved.dataset.imageSize).isEqualTo(224);
    assertThat(RunFiles.toYaml(ConfigResolver.resolve(resolved))).isEqualTo(RunFiles.toYaml(resolved));
  }

  @Test
  void huggingFaceDefaultsAndUserColumns() {
    ContrastiveTrainingRunSpec spec = ConfigOverrides.apply(minimal(), java.util.List.of(
        "dataset=huggingface", "dataset.source=uoft-cs/cifar10", "dataset.imageColumn=img", "dataset.imageSize=32"));

    ContrastiveTrainingRunSpec resolved = ConfigResolver.resolve(spec);

    assertThat(resolved.dataset.type).isEqualTo("huggingface");
    assertThat(resolved.dataset.imageColumn).isEqualTo("img");
    assertThat(resolved.dataset.labelColumn).isEqualTo("label");
    assertThat(resolved.dataset.revision).isEqualTo("main");
    assertThat(resolved.dataset.evalSplit).as("validation, else test, found at run time").isNull();
  }

  @Test
  void huggingFaceSourceMustBeARepositoryId() {
    ContrastiveTrainingRunSpec spec = ConfigOverrides.apply(minimal(),
        java.util.List.of("dataset=huggingface", "dataset.source=/data/imagenet"));

    assertThatThrownBy(() -> ConfigResolver.resolve(spec))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage("spec.dataset.source: '/data/imagenet' is not a Hub repository id;"
            + " expected owner/name such as ILSVRC/imagenet-1k");
  }

  @Test
  void unknownPresetIsRefusedWithTheChoices() {
    ContrastiveTrainingRunSpec spec = minimal();
    spec.architecture.preset = "resnet19";

    assertThatThrownBy(() -> ConfigResolver.resolve(spec))
        .isInstanceOfSatisfying(InvalidConfigException.class,
            e -> assertThat(e.field()).isEqualTo("spec.architecture.preset"))
        .hasMessage("spec.architecture.preset: unknown preset 'resnet19'; allowed: resnet18, resnet34,"
            + " resnet50, resnet101, resnet152, mixer_s16, mixer_b16, mixer_s4, parallel_vit_ti4, parallel_vit_s4,"
            + " parallel_vit_s16, parallel_vit_base");
  }

  @Test
  void outOfRangeValueNamesKeyValueAndRange() {
    ContrastiveTrainingRunSpec spec = minimal();
    spec.optimizer.lr = 150.0;

    assertThatThrownBy(() -> ConfigResolver.resolve(spec))
        .hasMessage("spec.optimizer.lr: 150.0 is out of range; allowed: 0 to 100");
  }

  @Test
  void patternWithChoicesListsThem() {
    ContrastiveTrainingRunSpec spec = minimal();
    spec.runPolicy.cleanPodPolicy = "Sometimes";

    assertThatThrownBy(() -> ConfigResolver.resolve(spec))
        .hasMessage("spec.runPolicy.cleanPodPolicy: 'Sometimes' is not allowed; allowed: All, Running, None");
  }

  @Test
  void missingImageIsRefused() {
    ContrastiveTrainingRunSpec spec = minimal();
    spec.image = null;

    assertThatThrownBy(() -> ConfigResolver.resolve(spec))
        .isInstanceOfSatisfying(InvalidConfigException.class,
            e -> assertThat(e.field()).isEqualTo("spec.image"))
        .hasMessage("spec.image: required but not set");
  }

  @Test
  void headsMustDivideTheWidth() {
    ContrastiveTrainingRunSpec spec = minimal();
    spec.architecture.preset = "parallel_vit_s16";
    spec.architecture.heads = 5;

    assertThatThrownBy(() -> ConfigResolver.resolve(spec))
        .hasMessage("spec.architecture.heads: 5 heads do not divide spec.architecture.width (384)");
  }

  @Test
  void widthBelow16IsRefused() {
    ContrastiveTrainingRunSpec spec = minimal();
    spec.architecture.width = 8;

    assertThatThrownBy(() -> ConfigResolver.resolve(spec))
        .hasMessage("spec.architecture.width: 8 is out of range; allowed: 16 to 8192");
  }

  @Test
  void widthThatIsNotAMultipleOf16IsRefused() {
    ContrastiveTrainingRunSpec spec = minimal();
    spec.architecture.width = 24;

    assertThatThrownBy(() -> ConfigResolver.resolve(spec))
        .hasMessage("spec.architecture.width: 24 is neither 16 nor a multiple of 32 (other widths get wrong"
            + " gradients on AVX-512 CPUs, docs/cpu.md); use 16, 32, 64, 96, 128, ...");
  }

  @Test
  void anOddMultipleOf16Above16IsRefused() {
    // 48, 80, 112, ...: the stride-2 3x3 convolution reading that many channels gets wrong input
    // gradients on AVX-512 CPUs (docs/cpu.md)
    for (int width : new int[] {48, 80, 112}) {
      ContrastiveTrainingRunSpec spec = minimal();
      spec.architecture.width = width;

      assertThatThrownBy(() -> ConfigResolver.resolve(spec))
          .hasMessageStartingWith("spec.architecture.width: " + width + " is neither 16 nor a multiple of 32");
    }
    for (int width : new int[] {16, 32, 64, 96}) {
      ContrastiveTrainingRunSpec spec = minimal();
      spec.architecture.width = width;

      assertThat(ConfigResolver.resolve(spec).architecture.width).isEqualTo(width);
    }
  }

  @Test
  void patchesMustTileTheImage() {
    ContrastiveTrainingRunSpec spec = minimal();
    spec.architecture.preset = "mixer_s4";
    spec.dataset.imageSize = 30;

    assertThatThrownBy(() -> ConfigResolver.resolve(spec))
        .hasMessage("spec.architecture.patchSize: 4 px patches do not tile spec.dataset.imageSize (30 px)");
  }

  @Test
  void inputSpecIsNotChanged() {
    ContrastiveTrainingRunSpec spec = minimal();

    ConfigResolver.resolve(spec);

    assertThat(spec.architecture.family).isNull();
    assertThat(spec.optimizer.lr).isNull();
  }
}
