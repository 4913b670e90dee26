package dev.contrastive.api.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contrastive.api.ContrastiveTrainingRun;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Build step after Fabric8's CRD generator, which sorts printer columns by JSON path
 * ({@link GeneratedCrd} runs it last): puts them back in the order the model declares them, so that
 * {@code kubectl get ctrun} reads Phase, Workers, Ranks, Epoch, Loss, kNN, Age rather than starting
 * with Age. Only the order of the column entries changes.
 */
final class PrinterColumnOrder {

  private PrinterColumnOrder() {}

  /** Edits one entry of {@code spec.versions}: its columns in the order the model declares them. */
  static void apply(ObjectNode version) {
    reorder(version, Arrays.stream(ContrastiveTrainingRun.class.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::jsonPath).toList());
  }

  /** Puts the version's printer column entries in the order of {@code jsonPaths}. */
  static void reorder(ObjectNode version, List<String> jsonPaths) {
    if (!(version.get("additionalPrinterColumns") instanceof ArrayNode columns)) {
      throw new IllegalStateException("no additionalPrinterColumns in the generated CRD");
    }
    Map<String, JsonNode> entries = new LinkedHashMap<>();
    columns.forEach(column -> entries.put(column.path("jsonPath").asText(), column));
    if (!entries.keySet().equals(new HashSet<>(jsonPaths))) {
      throw new IllegalStateException("generated printer columns " + entries.keySet()
          + " are not the declared ones " + jsonPaths);
    }
    columns.removeAll();
    jsonPaths.forEach(path -> columns.add(entries.get(path)));
  }
}
