package dev.contrastive.api.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** {@code kubectl get ctrun} shows the columns in the order the API promises, not sorted by path. */
class PrinterColumnOrderTest {

  private static final String GENERATED = """
      spec:
        versions:
        - additionalPrinterColumns:
          - jsonPath: ".metadata.creationTimestamp"
            name: "Age"
            type: "date"
          - jsonPath: ".status.phase"
            name: "Phase"
            type: "string"
          name: "v1alpha1"
      """;

  @Test
  void theInstalledCrdListsPhaseWorkersRanksEpochLossKnnAgeMessage() throws Exception {
    JsonNode crd = new YAMLMapper().readTree(Path.of("contrastivetrainingruns.contrastive.dev-v1.yml").toFile());
    JsonNode columns = crd.at("/spec/versions/0/additionalPrinterColumns");

    assertThat(StreamSupport.stream(columns.spliterator(), false).map(c -> c.get("name").asText()))
        .containsExactly("Phase", "Workers", "Ranks", "Epoch", "Loss", "kNN", "Age", "Message");
  }

  @Test
  void entriesMoveWholeAndEverythingElseStaysAsGenerated() throws Exception {
    String reordered = GeneratedCrd.editVersions(GENERATED,
        version -> PrinterColumnOrder.reorder(version, List.of(".status.phase", ".metadata.creationTimestamp")));

    assertThat(reordered).isEqualTo("""
        spec:
          versions:
          - additionalPrinterColumns:
            - jsonPath: ".status.phase"
              name: "Phase"
              type: "string"
            - jsonPath: ".metadata.creationTimestamp"
              name: "Age"
              type: "date"
            name: "v1alpha1"
        """);
  }

  @Test
  void aColumnTheModelDoesNotDeclareStopsTheBuild() {
    assertThatThrownBy(() -> GeneratedCrd.editVersions(GENERATED,
        version -> PrinterColumnOrder.reorder(version, List.of(".status.phase"))))
        .hasMessageContaining("are not the declared ones");
  }
}
