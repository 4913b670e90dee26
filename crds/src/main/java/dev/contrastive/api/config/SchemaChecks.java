package dev.contrastive.api.config;

import dev.contrastive.api.encoder.ArchitectureRules;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.util.List;
import java.util.regex.Matcher;

/**
 * The per-field checks of the CRD schema (required, minimum, maximum, pattern, enum), read from the
 * same fabric8 annotations the CRD generator reads and from the encoder declaration that
 * {@code crd.ArchitectureSchema} writes into it, so that a run without an API server is checked
 * alike.
 */
final class SchemaChecks {

  /** A pattern that is a plain list of choices, e.g. {@code ^(All|Running|None)$}. */
  private static final java.util.regex.Pattern CHOICES =
      java.util.regex.Pattern.compile("^\\^\\(([A-Za-z0-9_|-]+)\\)\\$$");

  private SchemaChecks() {}

  static void check(ContrastiveTrainingRunSpec spec) {
    for (SpecFields.Setting setting : SpecFields.ALL) {
      Object value = setting.valueIn(spec);
      check("spec." + setting.key(), setting.field(), value);
      List<String> choices = choices(setting.key());
      if (value instanceof String text && choices != null && !choices.contains(text)) {
        throw InvalidConfigException.at("spec." + setting.key(),
            "'" + text + "' is not allowed; allowed: " + String.join(", ", choices));
      }
    }
  }

  /** The schema's enum for a dotted key below spec, or null where the setting is not a choice. */
  static List<String> choices(String key) {
    String architecture = PresetGroup.ARCHITECTURE.key() + ".";
    return key.startsWith(architecture) ? ArchitectureRules.choices(key.substring(architecture.length())) : null;
  }

  private static void check(String key, Field field, Object value) {
    if (value == null) {
      if (field.isAnnotationPresent(Required.class)) {
        throw InvalidConfigException.at(key, "required but not set");
      }
      return;
    }
    if (value instanceof Double number && !Double.isFinite(number)) {
      throw InvalidConfigException.at(key, value + " is not a finite number");
    }
    Min min = field.getAnnotation(Min.class);
    Max max = field.getAnnotation(Max.class);
    if (value instanceof Number number && (min != null || max != null)) {
      double v = number.doubleValue();
      boolean tooLow = min != null && (min.inclusive() ? v < min.value() : v <= min.value());
      boolean tooHigh = max != null && (max.inclusive() ? v > max.value() : v >= max.value());
      if (tooLow || tooHigh) {
        throw InvalidConfigException.at(key, value + " is out of range; allowed: " + range(min, max));
      }
    }
    Pattern pattern = field.getAnnotation(Pattern.class);
    if (value instanceof String text && pattern != null
        && !java.util.regex.Pattern.compile(pattern.value()).matcher(text).find()) {
      throw InvalidConfigException.at(key, "'" + text + "' is not allowed; " + allowed(pattern.value()));
    }
  }

  /** Allowed range in words, e.g. {@code 1 to 100}, {@code >= 0}, {@code > 0 and <= 10}. */
  static String range(Min min, Max max) {
    if (min != null && max != null && min.inclusive() && max.inclusive()) {
      return number(min.value()) + " to " + number(max.value());
    }
    String low = min == null ? null : (min.inclusive() ? ">= " : "> ") + number(min.value());
    String high = max == null ? null : (max.inclusive() ? "<= " : "< ") + number(max.value());
    return low == null ? high : high == null ? low : low + " and " + high;
  }

  /** The choices of an alternation pattern, else the pattern itself. */
  static String allowed(String pattern) {
    Matcher choices = CHOICES.matcher(pattern);
    return choices.matches()
        ? "allowed: " + choices.group(1).replace("|", ", ")
        : "must match " + pattern;
  }

  private static String number(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
