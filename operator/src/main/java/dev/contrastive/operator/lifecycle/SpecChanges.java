package dev.contrastive.operator.lifecycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The spec a gang was started with, minus {@code runPolicy} (which may change at any time), and
 * which of its fields an edit changed. Training fields are fixed while a run is under way: workers
 * resume from checkpoints that only make sense with the same model and data.
 */
public final class SpecChanges {

  private static final ObjectMapper JSON = Serialization.jsonMapper();

  private SpecChanges() {}

  public static String snapshot(ContrastiveTrainingRunSpec spec) {
    return fixedPart(spec).toString();
  }

  /**
   * Dotted paths ({@code spec.optimizer.lr}) that differ between a snapshot and the spec now.
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
    List<String> changed = new ArrayList<>();
    diff("spec", before, after, changed);
    return changed;
  }

  private static ObjectNode fixedPart(ContrastiveTrainingRunSpec spec) {
    ObjectNode tree = JSON.valueToTree(spec);
    tree.remove("runPolicy");
    return tree;
  }

  private static void diff(String path, JsonNode before, JsonNode after, List<String> changed) {
    if (before != null && after != null && before.isObject() && after.isObject()) {
      TreeSet<String> names = new TreeSet<>();
      before.fieldNames().forEachRemaining(names::add);
      after.fieldNames().forEachRemaining(names::add);
      names.forEach(name -> diff(path + "." + name, before.get(name), after.get(name), changed));
    } else if (before == null ? after != null && !after.isNull() : !before.equals(after)) {
      changed.add(path);
    }
  }
}
