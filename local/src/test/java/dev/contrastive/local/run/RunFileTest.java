package dev.contrastive.local.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.config.RunFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFileTest {

  private static final String HEAD = "apiVersion: contrastive.dev/v1alpha1\nkind: ContrastiveTrainingRun\n"
      + "metadata:\n  name: r\n";

  @TempDir
  Path dir;

  @Test
  void missingFileIsOneLineNamingIt() {
    Path missing = dir.resolve("nope.yaml");

    assertThatThrownBy(() -> RunFile.load(missing)).hasMessage(missing + ": no such file");
  }

  @Test
  void invalidYamlIsOneLineNamingTheFile() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "kind: [\n");

    assertThatThrownBy(() -> RunFile.load(bad))
        .hasMessageStartingWith(bad + ":")
        .hasMessageContaining("malformed YAML")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void runWithoutImageIsRefusedNamingTheField() throws Exception {
    Path run = Files.writeString(dir.resolve("run.yaml"), HEAD + "spec: {}\n");

    assertThatThrownBy(() -> RunFile.load(run)).hasMessage(run + ": spec.image is required");
  }

  @Test
  void anUnknownFieldIsTheSameOneLineAsTrainerConfigGives() throws Exception {
    Path run = Files.writeString(dir.resolve("run.yaml"), HEAD + "spec:\n  image: i\n  optimizer:\n    lrr: 0.1\n");

    assertThatThrownBy(() -> RunFiles.load(run)).isInstanceOf(InvalidConfigException.class)
        .satisfies(trainer -> assertThatThrownBy(() -> RunFile.load(run)).hasMessage(trainer.getMessage()))
        .hasMessageContaining("unknown field spec.optimizer.lrr; allowed: ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void theEndToEndRunAndEveryExampleLoad() throws Exception {
    assertThat(RunFile.load(Path.of("src/test/resources/e2e/tiny.yaml")).getMetadata().getName()).isEqualTo("tiny");
    try (Stream<Path> examples = Files.list(Path.of(System.getProperty("repo.root", "..")).resolve("examples"))) {
      List<Path> runs = examples.filter(p -> p.toString().endsWith(".yaml")).toList();
      assertThat(runs).isNotEmpty().allSatisfy(example -> assertThat(RunFile.load(example).getSpec().image).isNotBlank());
    }
  }

  @Test
  void aWrongKindIsRefused() throws Exception {
    Path run = Files.writeString(dir.resolve("run.yaml"), HEAD.replace("kind: ContrastiveTrainingRun", "kind: Pod")
        + "spec:\n  image: i\n");

    assertThatThrownBy(() -> RunFile.load(run)).hasMessageContaining("kind: 'Pod'");
  }
}
