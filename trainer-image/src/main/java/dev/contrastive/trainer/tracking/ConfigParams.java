package dev.contrastive.trainer.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import java.util.Map;
import java.util.TreeMap;

/**
 * The resolved config as flat parameters: {@code optimizer.lr -> 0.3}, the keys of the trainer's
 * overrides. Lists and maps stay JSON; values longer than a tracking server takes are cut.
 */
final class ConfigParams {

  /** MLflow 2.x keeps parameter values up to 6000 characters. */
  static final int MAX_VALUE = 6000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private ConfigParams() {}

  static Map<String, String> of(ContrastiveTrainingRunSpec spec) {
    Map<String, String> params = new TreeMap<>();
    flatten("", JSON.valueToTree(spec), params);
    return params;
  }

  private static void flatten(String key, JsonNode node, Map<String, String> into) {
    if (node.isObject()) {
      node.fields().forEachRemaining(field ->
          flatten(key.isEmpty() ? field.getKey() : key + "." + field.getKey(), field.getValue(), into));
      return;
    }
    if (node.isNull() || node.isArray() && node.isEmpty()) {
      return;
    }
    String value = node.isValueNode() ? node.asText() : node.toString();
    into.put(key, value.length() <= MAX_VALUE ? value : value.substring(0, MAX_VALUE));
  }
}
