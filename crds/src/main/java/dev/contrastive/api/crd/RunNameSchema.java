package dev.contrastive.api.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contrastive.api.naming.RunName;
import java.util.Iterator;
import java.util.Map;

/**
 * Build step after Fabric8's CRD generator ({@link GeneratedCrd} runs it; the generator writes no
 * schema for {@code metadata}): adds {@code metadata.name}'s pattern and maxLength ({@link RunName}),
 * the only metadata a CRD's schema may constrain, so that {@code kubectl apply} refuses a run whose
 * workers, Service or Secret could not be named.
 */
final class RunNameSchema {

  private RunNameSchema() {}

  /** Edits one version's {@code openAPIV3Schema}. */
  static void apply(JsonNode root) {
    if (!(root.path("properties") instanceof ObjectNode properties)) {
      throw new IllegalStateException("no properties in the generated CRD's schema");
    }
    ObjectNode metadata = JsonNodeFactory.instance.objectNode();
    metadata.putObject("properties").putObject("name")
        .put("description", "A DNS-1035 label of at most " + RunName.MAX_LENGTH + " characters: the names of"
            + " the run's workers (<name>-worker-<rank>), Service, Secret, ConfigMaps and RBAC objects derive"
            + " from it.")
        .put("maxLength", RunName.MAX_LENGTH)
        .put("pattern", RunName.PATTERN)
        .put("type", "string");
    metadata.put("type", "object");
    // metadata first, as the generator orders properties by name (metadata < spec < status)
    ObjectNode ordered = JsonNodeFactory.instance.objectNode();
    ordered.set("metadata", metadata);
    for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (!"metadata".equals(field.getKey())) {
        ordered.set(field.getKey(), field.getValue());
      }
    }
    properties.removeAll();
    properties.setAll(ordered);
  }
}
