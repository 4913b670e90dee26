package dev.contrastive.api.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Hydra-style command-line overrides of a spec: {@code optimizer=adamw} picks a preset (the group
 * choice), {@code optimizer.lr=5e-4} or {@code trainer.max_epochs=3} sets a key of the run file
 * (snake_case and a leading {@code spec.} are accepted), {@code nodeSelector.gpu=a100} sets a map
 * entry. A group choice only changes the choice key: settings the user wrote still win over the
 * new preset, as in Hydra. Ranges are checked by {@link ConfigResolver}.
 */
public final class ConfigOverrides {

  private ConfigOverrides() {}

  /**
   * A copy of {@code spec} with the overrides applied in order.
   *
   * @throws InvalidConfigException naming the argument: unknown key (with the closest keys), wrong
   *     type (with the type expected), or no {@code =}
   */
  public static ContrastiveTrainingRunSpec apply(ContrastiveTrainingRunSpec spec, List<String> args) {
    ObjectNode tree = ConfigMapper.YAML.valueToTree(spec);
    for (String arg : args) {
      set(tree, arg);
    }
    try {
      return ConfigMapper.YAML.treeToValue(tree, ContrastiveTrainingRunSpec.class);
    } catch (JsonMappingException e) {
      throw JsonErrors.toInvalidConfig(e, "", "spec", tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("overridden spec does not bind: " + e.getOriginalMessage(), e);
    }
  }

  private static void set(ObjectNode tree, String arg) {
    int eq = arg.indexOf('=');
    if (eq <= 0) {
      throw new InvalidConfigException(arg,
          "override '" + arg + "': expected key=value, e.g. optimizer.lr=5e-4 or optimizer=adamw");
    }
    String key = camelCase(stripSpec(arg.substring(0, eq).trim()));
    String value = arg.substring(eq + 1).trim();
    PresetGroup group = PresetGroup.byKey(key);
    if (group != null) {
      key = group.key() + "." + group.choiceKey();
    }
    Optional<SpecFields.Setting> exact = SpecFields.find(key);
    if (exact.isPresent()) {
      Class<?> type = exact.get().field().getType();
      setPath(tree, key.split("\\."), node("spec." + key, value, type));
      return;
    }
    Optional<SpecFields.Setting> map = mapAbove(key);
    if (map.isPresent()) {
      String entry = key.substring(map.get().key().length() + 1);
      ObjectNode entries = tree.withObject("/" + map.get().key().replace('.', '/'));
      entries.put(entry, value);
      return;
    }
    throw InvalidConfigException.at("spec." + key, "unknown key '" + arg.substring(0, eq).trim()
        + "'; closest: " + String.join(", ", closest(key)));
  }

  /** The map setting (e.g. nodeSelector) that {@code key} names an entry of. */
  private static Optional<SpecFields.Setting> mapAbove(String key) {
    return SpecFields.ALL.stream()
        .filter(s -> Map.class.isAssignableFrom(s.field().getType()) && key.startsWith(s.key() + "."))
        .findFirst();
  }

  private static JsonNode node(String key, String value, Class<?> type) {
    try {
      if (type == Integer.class || type == Long.class) {
        return LongNode.valueOf(Long.parseLong(value));
      }
      if (type == Double.class) {
        double number = Double.parseDouble(value);
        if (Double.isFinite(number)) {
          return DoubleNode.valueOf(number);
        }
      } else if (type == Boolean.class) {
        if (value.equals("true") || value.equals("false")) {
          return BooleanNode.valueOf(Boolean.parseBoolean(value));
        }
      } else if (type == String.class) {
        return TextNode.valueOf(value);
      } else if (Map.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)) {
        // Flow YAML, e.g. tolerations=[{key: gpu, operator: Exists}]; the model checks the shape.
        return ConfigMapper.YAML.readTree(value);
      }
    } catch (NumberFormatException | JsonProcessingException e) {
      // reported below
    }
    throw InvalidConfigException.at(key, "'" + value + "' is not " + JsonErrors.expected(type));
  }

  private static void setPath(ObjectNode tree, String[] path, JsonNode value) {
    ObjectNode parent = tree;
    for (int i = 0; i < path.length - 1; i++) {
      parent = parent.withObject("/" + path[i]);
    }
    parent.set(path[path.length - 1], value);
  }

  private static String stripSpec(String key) {
    return key.startsWith("spec.") ? key.substring("spec.".length()) : key;
  }

  /** {@code trainer.max_epochs} -> {@code trainer.maxEpochs}; camelCase keys stay as they are. */
  static String camelCase(String key) {
    return Arrays.stream(key.split("\\.", -1)).map(segment -> {
      StringBuilder out = new StringBuilder();
      boolean upper = false;
      for (char c : segment.toCharArray()) {
        if (c == '_' && out.length() > 0) {
          upper = true;
        } else {
          out.append(upper ? Character.toUpperCase(c) : c);
          upper = false;
        }
      }
      return out.toString();
    }).collect(Collectors.joining("."));
  }

  /** The three valid keys nearest to {@code key} by edit distance. */
  static List<String> closest(String key) {
    List<String> keys = new java.util.ArrayList<>(SpecFields.ALL.stream().map(SpecFields.Setting::key).toList());
    Arrays.stream(PresetGroup.values()).map(PresetGroup::key).forEach(keys::add);
    return keys.stream()
        .sorted(java.util.Comparator.comparingInt((String k) -> distance(key.toLowerCase(), k.toLowerCase()))
            .thenComparing(k -> k))
        .limit(3)
        .toList();
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
