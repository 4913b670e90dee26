package dev.contrastive.api.config;

import dev.contrastive.api.encoder.EncoderFamily;
import java.util.List;

/**
 * A config group with presets: the spec key of the group, the key inside it that picks the preset,
 * and the presets on offer (YAML resources {@code presets/<group>/<name>.yaml}). A preset that sets
 * the choice key itself is an alias: {@code dataset=imagenet} resolves to {@code type: huggingface}
 * with ImageNet's repository.
 */
public enum PresetGroup {
  ARCHITECTURE("architecture", "preset", EncoderFamily.allPresets()),
  DATASET("dataset", "type", List.of("cifar10", "imagefolder", "huggingface", "imagenet", "synthetic")),
  OPTIMIZER("optimizer", "type", List.of("lars", "adamw", "sgd"));

  private final String key;
  private final String choiceKey;
  private final List<String> presetNames;

  PresetGroup(String key, String choiceKey, List<String> presetNames) {
    this.key = key;
    this.choiceKey = choiceKey;
    this.presetNames = presetNames;
  }

  /** Key of the group in the spec, e.g. {@code optimizer}. */
  public String key() {
    return key;
  }

  /** Key inside the group that names the preset, e.g. {@code type}. */
  public String choiceKey() {
    return choiceKey;
  }

  public List<String> presetNames() {
    return presetNames;
  }

  /** The group whose spec key is {@code key}, or null. */
  public static PresetGroup byKey(String key) {
    for (PresetGroup group : values()) {
      if (group.key.equals(key)) {
        return group;
      }
    }
    return null;
  }
}
