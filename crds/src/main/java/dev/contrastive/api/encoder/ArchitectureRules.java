package dev.contrastive.api.encoder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@link EncoderFamily}, {@link ResNetDepth} and {@link ResNetStem} declare, in the forms the
 * checks need: the allowed values of the architecture settings that are a choice (the CRD schema's
 * enums, the local schema checks, {@code --help}) and the CEL rules of {@code spec.architecture}
 * ({@code crd.ArchitectureSchema} writes them into the CRD; CelRulesTest holds them to the local
 * checks).
 */
public final class ArchitectureRules {

  /** A CEL rule (x-kubernetes-validations) on the schema of {@code spec.architecture}. */
  public record CelRule(String expression, String message) {}

  /** The preset a run without {@code spec.architecture.preset} gets (the schema default). */
  public static final String DEFAULT_PRESET = "resnet18";

  private ArchitectureRules() {}

  /** Allowed values of the settings below {@code spec.architecture} that are a choice, by key. */
  public static Map<String, List<String>> choices() {
    Map<String, List<String>> choices = new LinkedHashMap<>();
    choices.put("preset", EncoderFamily.allPresets());
    choices.put("family", EncoderFamily.keys());
    choices.put("stem", ResNetStem.keys());
    return choices;
  }

  /** The allowed values of {@code spec.architecture.<key>}, or null when it is not a choice. */
  public static List<String> choices(String key) {
    return choices().get(key);
  }

  /**
   * The rules the API server applies to {@code spec.architecture} as written, before presets are
   * merged: the family is the one set, else the chosen preset's.
   */
  public static List<CelRule> celRules() {
    String resnet = "(has(self.family) ? self.family == '" + EncoderFamily.RESNET.key() + "'"
        + " : (has(self.preset) ? self.preset : '" + DEFAULT_PRESET + "') in "
        + quoted(EncoderFamily.RESNET.presets()) + ")";
    return List.of(new CelRule(
        "!has(self.depth) || self.depth in " + ResNetDepth.allowed() + " || !" + resnet,
        "spec.architecture.depth of a ResNet must be one of " + ResNetDepth.allowed()));
  }

  /** Hidden width of a Mixer's channel MLP and of a ViT block's MLP: mlpRatio x width, rounded. */
  public static int mlpHidden(int width, double mlpRatio) {
    return (int) Math.round(mlpRatio * width);
  }

  private static String quoted(List<String> values) {
    return values.stream().map(v -> "'" + v + "'").collect(Collectors.joining(", ", "[", "]"));
  }
}
