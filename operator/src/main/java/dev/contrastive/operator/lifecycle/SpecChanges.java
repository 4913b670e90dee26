package dev.contrastive.operator.lifecycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.config.TrainingFields;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;

/**
 * The spec a gang was started with, minus {@code runPolicy} (which may change at any time), and
 * which of its training fields an edit changed. Which fields are fixed while a run is under way is
 * decided by {@link TrainingFields}, as the CRD's transition rule decides it.
 */
public final class SpecChanges {

  private static final ObjectMapper JSON = Serialization.jsonMapper();

  private SpecChanges() {}

  public static String snapshot(ContrastiveTrainingRunSpec spec) {
    return fixedPart(spec).toString();
  }

  /**
   * Dotted paths ({@code spec.optimizer.lr}) of training fields that differ between a snapshot and
   * the spec now.
   *
   * @param spec resolved ({@link dev.contrastive.operator.plan.ResolvedRun})
   */
  public static List<String> changedFields(String snapshot, ContrastiveTrainingRunSpec spec) {
    JsonNode before;
    JsonNode after;
    try {
      // Resolved again: a snapshot an older operator took of the spec as written compares by what it meant.
      before = JSON.readTree(snapshot(ConfigResolver.resolve(JSON.readValue(snapshot, ContrastiveTrainingRunSpec.class))));
      // Through text as well, so that a Long and an int of the same value compare equal.
      after = JSON.readTree(snapshot(spec));
    } catch (JsonProcessingException | InvalidConfigException e) {
      // Not ours (edited by hand): nothing to compare against, so nothing is held back.
      return List.of();
    }
    return TrainingFields.changed(before, after);
  }

  private static ObjectNode fixedPart(ContrastiveTrainingRunSpec spec) {
    ObjectNode tree = JSON.valueToTree(spec);
    tree.remove("runPolicy");
    return tree;
  }
}
