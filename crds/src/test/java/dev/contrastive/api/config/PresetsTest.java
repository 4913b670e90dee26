package dev.contrastive.api.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.encoder.EncoderFamily;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class PresetsTest {

  @Test
  void presetFilesAreExactlyTheListedPresets() throws Exception {
    for (PresetGroup group : PresetGroup.values()) {
      try (Stream<Path> files = Files.list(Path.of("src/main/resources/presets", group.key()))) {
        assertThat(files.map(f -> f.getFileName().toString().replace(".yaml", "")))
            .as(group.key()).containsExactlyInAnyOrderElementsOf(group.presetNames());
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> everyPresetResolvesToAValidConfig() {
    return Stream.of(PresetGroup.values()).flatMap(group -> group.presetNames().stream()
        .map(name -> DynamicTest.dynamicTest(group.key() + "=" + name, () -> {
          ContrastiveTrainingRunSpec spec = ConfigOverrides.apply(ConfigResolverTest.minimal(),
              java.util.List.of(group.key() + "=" + name, "dataset.source=" + switch (name) {
                case "huggingface" -> "uoft-cs/cifar10";
                case "imagenet" -> "ILSVRC/imagenet-1k";
                default -> "/data";
              }));

          ContrastiveTrainingRunSpec resolved = ConfigResolver.resolve(spec);

          assertThat(RunFiles.toYaml(resolved)).isNotBlank();
        })));
  }

  @Test
  void eachArchitecturePresetIsOfTheFamilyThatListsIt() {
    for (EncoderFamily family : EncoderFamily.values()) {
      for (String preset : family.presets()) {
        assertThat(Presets.load(PresetGroup.ARCHITECTURE, preset).get("family").asText()).as(preset)
            .isEqualTo(family.key());
      }
    }
  }

  @Test
  void parallelVitTinyHasTimmSizes() {
    var arch = Presets.load(PresetGroup.ARCHITECTURE, "parallel_vit_ti4");

    assertThat(arch.get("width").asInt()).isEqualTo(192);
    assertThat(arch.get("depth").asInt()).isEqualTo(12);
    assertThat(arch.get("heads").asInt()).isEqualTo(3);
  }
}
