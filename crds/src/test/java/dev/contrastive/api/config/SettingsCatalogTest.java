package dev.contrastive.api.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.encoder.EncoderFamily;
import org.junit.jupiter.api.Test;

class SettingsCatalogTest {

  @Test
  void listsOptimizerLrWithTypeRangeDescriptionAndPresetDefaults() {
    assertThat(SettingsCatalog.all()).filteredOn(s -> s.key().equals("optimizer.lr")).singleElement()
        .isEqualTo(new SettingsCatalog.Setting("optimizer.lr", "number",
            "from preset (lars: 0.3, adamw: 0.001, sgd: 0.1)", "0 to 100",
            "Peak learning rate (reached at the end of warm-up) at a global batch of 256 when lrScaling is"
                + " linear or sqrt, else as given."));
  }

  @Test
  void listsLearningRateScalingWithItsRulesAndThePresetsChoices() {
    assertThat(SettingsCatalog.all()).filteredOn(s -> s.key().equals("optimizer.lrScaling")).singleElement()
        .satisfies(s -> {
          assertThat(s.defaultValue()).isEqualTo("from preset (lars: linear, adamw: none, sgd: none)");
          assertThat(s.allowed()).isEqualTo("linear, sqrt, none");
        });
  }

  @Test
  void listsWhereTheNegativesComeFromGlobalByDefault() {
    assertThat(SettingsCatalog.all()).filteredOn(s -> s.key().equals("loss.negatives")).singleElement()
        .satisfies(s -> {
          assertThat(s.defaultValue()).isEqualTo("global");
          assertThat(s.allowed()).isEqualTo("global, local");
          assertThat(s.description()).contains("W workers x B images train like one process with W x B images");
        });
  }

  @Test
  void listsSchemaDefaultsAndChoices() {
    assertThat(SettingsCatalog.all()).filteredOn(s -> s.key().equals("runPolicy.cleanPodPolicy")).singleElement()
        .satisfies(s -> {
          assertThat(s.defaultValue()).isEqualTo("Running");
          assertThat(s.allowed()).isEqualTo("All, Running, None");
        });
  }

  @Test
  void groupChoiceKeysListThePresets() {
    assertThat(SettingsCatalog.all()).filteredOn(s -> s.key().equals("dataset.type")).singleElement()
        .satisfies(s -> assertThat(s.allowed()).isEqualTo("cifar10, imagefolder, huggingface, imagenet, synthetic"));
  }

  @Test
  void architectureChoicesAndResNetDepthsComeFromTheEncoderDeclaration() {
    assertThat(SettingsCatalog.all()).filteredOn(s -> s.key().startsWith("architecture."))
        .extracting(SettingsCatalog.Setting::key, SettingsCatalog.Setting::allowed)
        .contains(
            org.assertj.core.groups.Tuple.tuple("architecture.family", "resnet, mixer, parallel_vit"),
            org.assertj.core.groups.Tuple.tuple("architecture.stem", "cifar, imagenet"),
            org.assertj.core.groups.Tuple.tuple("architecture.depth", "1 to 200; resnet: 18, 34, 50, 101, 152"),
            org.assertj.core.groups.Tuple.tuple("architecture.preset", String.join(", ", EncoderFamily.allPresets())));
  }

  @Test
  void everySettingHasADescription() {
    assertThat(SettingsCatalog.all()).allSatisfy(s -> assertThat(s.description()).as(s.key()).isNotBlank());
  }

  @Test
  void renderedHelpNamesPresetsAndSettings() {
    String help = SettingsCatalog.render();

    assertThat(help).contains("  optimizer: lars, adamw, sgd\n");
    assertThat(help).containsPattern("(?m)^  image +string +Trainer container image\\. \\[allowed: required; must match");
  }
}
