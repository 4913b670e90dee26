package dev.contrastive.api.config;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import dev.contrastive.api.encoder.EncoderFamily;
import dev.contrastive.api.encoder.ResNetDepth;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Every setting of a run, with type, default, allowed values and description, derived from the
 * model's annotations and the presets: what the trainer's {@code --help} prints.
 */
public final class SettingsCatalog {

  /**
   * One setting.
   *
   * @param key dotted key below {@code spec}, as used in overrides, e.g. {@code optimizer.lr}
   * @param type integer, number, boolean, string, map, list or object (a Kubernetes type, e.g. a pod template)
   * @param defaultValue the schema default, the values of the group's presets, or empty
   * @param allowed range, choices or pattern; {@code required} for a setting without default
   * @param description the model's description
   */
  public record Setting(String key, String type, String defaultValue, String allowed, String description) {}

  private SettingsCatalog() {}

  public static List<Setting> all() {
    List<Setting> settings = new ArrayList<>();
    for (SpecFields.Setting setting : SpecFields.ALL) {
      Field field = setting.field();
      JsonPropertyDescription description = field.getAnnotation(JsonPropertyDescription.class);
      settings.add(new Setting(setting.key(), type(field.getType()), defaultValue(setting.key(), field),
          allowed(setting.key(), field), description == null ? "" : description.value()));
    }
    return List.copyOf(settings);
  }

  /** Preset names per group, e.g. {@code optimizer -> [lars, adamw, sgd]}. */
  public static Map<String, List<String>> presets() {
    return Presets.namesByGroup();
  }

  /** The catalogue as aligned text lines: presets first, then one line per setting. */
  public static String render() {
    StringBuilder out = new StringBuilder("Presets (choose with group=name):\n");
    presets().forEach((group, names) ->
        out.append("  ").append(group).append(": ").append(String.join(", ", names)).append('\n'));
    List<Setting> settings = all();
    int width = settings.stream().mapToInt(s -> s.key().length()).max().orElse(0);
    out.append("Settings (override with key=value):\n");
    for (Setting s : settings) {
      out.append(String.format("  %-" + width + "s  %-7s  %s", s.key(), s.type(), s.description()));
      if (!s.defaultValue().isEmpty()) {
        out.append(" [default: ").append(s.defaultValue()).append(']');
      }
      if (!s.allowed().isEmpty()) {
        out.append(" [allowed: ").append(s.allowed()).append(']');
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String type(Class<?> type) {
    if (type == Integer.class || type == Long.class) {
      return "integer";
    }
    if (type == Double.class) {
      return "number";
    }
    if (type == Boolean.class) {
      return "boolean";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "map";
    }
    if (Collection.class.isAssignableFrom(type)) {
      return "list";
    }
    return type == String.class ? "string" : "object";
  }

  private static String defaultValue(String key, Field field) {
    Default schemaDefault = field.getAnnotation(Default.class);
    if (schemaDefault != null) {
      return schemaDefault.value();
    }
    PresetGroup group = groupOf(key);
    if (group == null) {
      return "";
    }
    // A preset-provided setting defaults to whatever the chosen preset says.
    String name = key.substring(group.key().length() + 1);
    List<String> values = new ArrayList<>();
    for (String preset : group.presetNames()) {
      JsonNode value = Presets.load(group, preset).get(name);
      if (value != null) {
        values.add(preset + ": " + value.asText());
      }
    }
    return values.isEmpty() ? "" : "from preset (" + String.join(", ", values) + ")";
  }

  private static String allowed(String key, Field field) {
    PresetGroup group = groupOf(key);
    if (group != null && key.equals(group.key() + "." + group.choiceKey())) {
      return String.join(", ", group.presetNames());
    }
    List<String> parts = new ArrayList<>();
    if (field.isAnnotationPresent(Required.class)) {
      parts.add("required");
    }
    Min min = field.getAnnotation(Min.class);
    Max max = field.getAnnotation(Max.class);
    if (min != null || max != null) {
      parts.add(SchemaChecks.range(min, max));
    }
    if (key.equals("architecture.depth")) {
      parts.add(EncoderFamily.RESNET.key() + ": " + ResNetDepth.allowed().stream().map(String::valueOf)
          .collect(java.util.stream.Collectors.joining(", ")));
    }
    Pattern pattern = field.getAnnotation(Pattern.class);
    if (pattern != null) {
      parts.add(SchemaChecks.allowed(pattern.value()).replaceFirst("^allowed: ", ""));
    }
    List<String> choices = SchemaChecks.choices(key);
    if (choices != null) {
      parts.add(String.join(", ", choices));
    }
    return String.join("; ", parts);
  }

  private static PresetGroup groupOf(String key) {
    int dot = key.indexOf('.');
    return dot < 0 ? null : PresetGroup.byKey(key.substring(0, dot));
  }
}
