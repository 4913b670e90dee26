package dev.contrastive.api.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contrastive.api.encoder.ArchitectureRules;
import java.util.List;
import java.util.Map;

/**
 * Build step after Fabric8's CRD generator ({@link GeneratedCrd} runs it): writes into the schema of
 * {@code spec.architecture} what the encoder declaration ({@code api.encoder}) allows, so that
 * {@code kubectl apply} refuses what the trainer cannot build: an {@code enum} for preset, family
 * and stem, and the CEL rules of {@link ArchitectureRules#celRules()}.
 */
final class ArchitectureSchema {

  private ArchitectureSchema() {}

  /** Edits one version's {@code openAPIV3Schema}. */
  static void apply(JsonNode root) {
    JsonNode architecture = root.path("properties").path("spec").path("properties").path("architecture");
    if (!(architecture instanceof ObjectNode schema)) {
      throw new IllegalStateException("no spec.architecture in the generated CRD's schema");
    }
    for (Map.Entry<String, List<String>> choice : ArchitectureRules.choices().entrySet()) {
      JsonNode property = schema.path("properties").path(choice.getKey());
      if (!(property instanceof ObjectNode setting)) {
        throw new IllegalStateException("the generated CRD has no spec.architecture." + choice.getKey());
      }
      ArrayNode values = setting.putArray("enum");
      choice.getValue().forEach(values::add);
    }
    for (ArchitectureRules.CelRule rule : ArchitectureRules.celRules()) {
      GeneratedCrd.addCelRule(schema, rule.message(), rule.expression());
    }
  }
}
