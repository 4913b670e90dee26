package dev.contrastive.api.encoder;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The encoder families the trainer builds, the architecture settings each one needs and its
 * presets (YAML files {@code presets/architecture/<name>.yaml}). With {@link ResNetDepth} and
 * {@link ResNetStem} this is the one declaration of what {@code spec.architecture} may be: the CRD
 * schema's enums and rules, the config checks, {@code trainer --help} and the trainer's builders
 * are all made from it.
 */
public enum EncoderFamily {
  RESNET("resnet", List.of("depth", "width", "stem"),
      List.of("resnet18", "resnet34", "resnet50", "resnet101", "resnet152")),
  MIXER("mixer", List.of("depth", "width", "patchSize", "mlpRatio"),
      List.of("mixer_s16", "mixer_b16", "mixer_s4")),
  PARALLEL_VIT("parallel_vit", List.of("depth", "width", "patchSize", "heads", "mlpRatio", "qkNorm"),
      List.of("parallel_vit_ti4", "parallel_vit_s4", "parallel_vit_s16", "parallel_vit_base"));

  private final String key;
  private final List<String> settings;
  private final List<String> presets;

  EncoderFamily(String key, List<String> settings, List<String> presets) {
    this.key = key;
    this.settings = settings;
    this.presets = presets;
  }

  /** The family as written in {@code spec.architecture.family}, e.g. {@code parallel_vit}. */
  public String key() {
    return key;
  }

  /** The {@code spec.architecture} settings this family is built from; each must be set. */
  public List<String> settings() {
    return settings;
  }

  /** The architecture presets of this family. */
  public List<String> presets() {
    return presets;
  }

  /** The family written {@code key}, if there is one. */
  public static Optional<EncoderFamily> of(String key) {
    return Arrays.stream(values()).filter(family -> family.key.equals(key)).findFirst();
  }

  /** Every family key, e.g. {@code [resnet, mixer, parallel_vit]}. */
  public static List<String> keys() {
    return Arrays.stream(values()).map(EncoderFamily::key).toList();
  }

  /** Every architecture preset, family by family. */
  public static List<String> allPresets() {
    return Arrays.stream(values()).flatMap(family -> family.presets.stream()).toList();
  }
}
