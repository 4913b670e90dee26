package dev.contrastive.api.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contrastive.api.pod.TemplateCelRules;
import java.util.List;

/**
 * Build step after Fabric8's CRD generator ({@link GeneratedCrd} runs it): adds to the schema of
 * {@code spec.template}, which the generator makes from Fabric8's PodTemplateSpec, the CEL rules
 * that refuse fields the operator owns and the size bounds those rules need
 * ({@link TemplateCelRules}).
 */
final class TemplateSchema {

  private TemplateSchema() {}

  /** Edits one version's {@code openAPIV3Schema}. */
  static void apply(JsonNode root) {
    JsonNode spec = root.path("properties").path("spec");
    if (spec.isMissingNode()) {
      throw new IllegalStateException("no spec in the generated CRD's schema");
    }
    for (TemplateCelRules.Bound bound : TemplateCelRules.bounds()) {
      node(spec, bound.scope()).put(bound.keyword(), bound.value());
    }
    for (TemplateCelRules.Rule rule : TemplateCelRules.rules()) {
      GeneratedCrd.addCelRule(node(spec, rule.scope()), rule.message(), rule.expression());
    }
  }

  private static ObjectNode node(JsonNode spec, List<String> scope) {
    JsonNode node = spec;
    for (String step : scope) {
      node = "[]".equals(step) ? node.path("items") : node.path("properties").path(step);
    }
    if (!(node instanceof ObjectNode object)) {
      throw new IllegalStateException("the generated CRD has no schema at spec." + String.join(".", scope));
    }
    return object;
  }
}
