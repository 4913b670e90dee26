package dev.contrastive.api.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The spec groups a gang is started with and that cannot change under it: workers resume from
 * checkpoints that only fit the same model, data, optimizer and schedule. The CRD's transition
 * rule (on {@code ContrastiveTrainingRun}) refuses an edit of these groups while the run is Running;
 * the operator holds back one that reaches it anyway (an API server without CEL, or an edit made
 * while suspended). Cluster fields (image, resources, nodes) and runPolicy stay editable.
 * CelRulesTest checks that the rule and {@link #changed} decide alike.
 */
public final class TrainingFields {

  public static final List<String> GROUPS = List.of(
      "architecture", "dataset", "augmentation", "loss", "optimizer", "scheduler", "trainer", "evaluation",
      "distributed");

  private TrainingFields() {}

  /**
   * Dotted paths ({@code spec.optimizer.lr}) of the training fields that differ between two specs
   * given as JSON trees; other fields are not looked at.
   */
  public static List<String> changed(JsonNode before, JsonNode after) {
    List<String> changed = new ArrayList<>();
    for (String group : GROUPS) {
      diff("spec." + group, before.get(group), after.get(group), changed);
    }
    return changed;
  }

  private static void diff(String path, JsonNode before, JsonNode after, List<String> changed) {
    if (before != null && after != null && before.isObject() && after.isObject()) {
      TreeSet<String> names = new TreeSet<>();
      before.fieldNames().forEachRemaining(names::add);
      after.fieldNames().forEachRemaining(names::add);
      names.forEach(name -> diff(path + "." + name, before.get(name), after.get(name), changed));
    } else if (before == null || before.isNull() ? after != null && !after.isNull() : !before.equals(after)) {
      changed.add(path);
    }
  }
}
