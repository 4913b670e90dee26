package dev.contrastive.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The CRD users install is the one the model generates: a model change must update the file. */
class CheckedInCrdTest {

  static final String FILE = "contrastivetrainingruns.contrastive.dev-v1.yml";

  @Test
  void checkedInCrdEqualsGeneratedCrd() throws Exception {
    Path generated = Path.of(System.getProperty("generated.crd.dir", "target/classes/META-INF/fabric8"), FILE);
    Path checkedIn = Path.of(FILE);
    assertThat(generated).exists();
    assertThat(Files.readString(checkedIn))
        .as("crds/%s is stale: copy %s over it", FILE, generated)
        .isEqualTo(Files.readString(generated));
  }
}
