package dev.contrastive.api.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The preset YAML files shipped in this jar: partial specs of one group each, in the spec's keys. */
public final class Presets {

  private Presets() {}

  /** Preset names per group key, e.g. {@code optimizer -> [lars, adamw, sgd]}, in a stable order. */
  public static Map<String, List<String>> namesByGroup() {
    Map<String, List<String>> names = new LinkedHashMap<>();
    for (PresetGroup group : PresetGroup.values()) {
      names.put(group.key(), group.presetNames());
    }
    return names;
  }

  /** Preset names of one group key; empty for a key without presets. */
  public static List<String> names(String groupKey) {
    PresetGroup group = PresetGroup.byKey(groupKey);
    return group == null ? List.of() : group.presetNames();
  }

  /** Resource path of a preset, relative to the class path root. */
  static String resource(PresetGroup group, String name) {
    return "presets/" + group.key() + "/" + name + ".yaml";
  }

  /**
   * The settings a preset provides, as a fresh tree the caller may change.
   *
   * @throws InvalidConfigException if {@code name} is not a preset of the group
   */
  public static ObjectNode load(PresetGroup group, String name) {
    if (!group.presetNames().contains(name)) {
      throw InvalidConfigException.at(
          "spec." + group.key() + "." + group.choiceKey(),
          "unknown preset '" + name + "'; allowed: " + String.join(", ", group.presetNames()));
    }
    String path = resource(group, name);
    try (InputStream in = Presets.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("preset " + path + " is missing from the class path");
      }
      JsonNode tree = ConfigMapper.YAML.readTree(in);
      if (!(tree instanceof ObjectNode object)) {
        throw new IllegalStateException("preset " + path + " is not a YAML mapping");
      }
      return object;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read preset " + path, e);
    }
  }
}
