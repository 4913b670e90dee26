package dev.contrastive.api.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;

/**
 * Turns a spec as written (preset names plus the user's settings) into the full training config:
 * each chosen preset is merged under the user's values (the user wins), then every check of the
 * CRD is applied, so a local run gets the refusals {@code kubectl apply} would give.
 */
public final class ConfigResolver {

  private ConfigResolver() {}

  /**
   * The resolved copy of {@code spec}; the argument is not changed. Resolving a resolved spec gives
   * the same spec.
   *
   * @throws InvalidConfigException naming the first setting that is not allowed
   */
  public static ContrastiveTrainingRunSpec resolve(ContrastiveTrainingRunSpec spec) {
    if (spec == null) {
      throw InvalidConfigException.at("spec", "required but not set (a run needs at least spec.image)");
    }
    // A round trip gives every unset group and setting its model default, so each choice is known.
    ObjectNode tree = ConfigMapper.YAML.valueToTree(spec);
    ContrastiveTrainingRunSpec withDefaults = toSpec(tree);
    tree = ConfigMapper.YAML.valueToTree(withDefaults);
    for (PresetGroup group : PresetGroup.values()) {
      ObjectNode user = (ObjectNode) tree.get(group.key());
      ObjectNode preset = Presets.load(group, user.path(group.choiceKey()).asText());
      ObjectNode merged = preset.deepCopy();
      merged.setAll(user);
      if (preset.has(group.choiceKey())) {
        // an alias preset (dataset=imagenet) names the real choice (type: huggingface)
        merged.set(group.choiceKey(), preset.get(group.choiceKey()));
      }
      tree.set(group.key(), merged);
    }
    ContrastiveTrainingRunSpec resolved = toSpec(tree);
    SchemaChecks.check(resolved);
    CrossFieldRules.check(resolved);
    return resolved;
  }

  private static ContrastiveTrainingRunSpec toSpec(ObjectNode tree) {
    try {
      return ConfigMapper.YAML.treeToValue(tree, ContrastiveTrainingRunSpec.class);
    } catch (JsonProcessingException e) {
      // The tree came from the model and the presets; a mismatch is a broken preset, not user input.
      throw new IllegalStateException("preset does not fit the spec model: " + e.getOriginalMessage(), e);
    }
  }
}
