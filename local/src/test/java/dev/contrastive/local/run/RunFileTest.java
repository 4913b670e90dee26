package dev.contrastive.local.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFileTest {

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
        .hasMessageStartingWith(bad + ": not a valid ContrastiveTrainingRun YAML")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void runWithoutImageIsRefusedNamingTheField() throws Exception {
    Path run = Files.writeString(dir.resolve("run.yaml"),
        "apiVersion: contrastive.dev/v1alpha1\nkind: ContrastiveTrainingRun\nmetadata:\n  name: r\nspec: {}\n");

    assertThatThrownBy(() -> RunFile.load(run)).hasMessage(run + ": spec.image is required");
  }
}
