package dev.contrastive.operator.plan;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;

/** The scheduler's toleration rule, so that nodes a worker could never land on are not planned. */
final class Tolerations {

  private Tolerations() {}

  /** True when every NoSchedule/NoExecute taint of a node is tolerated (PreferNoSchedule only prefers). */
  static boolean tolerateAll(List<Taint> taints, List<Toleration> tolerations) {
    return taints.stream()
        .filter(taint -> !"PreferNoSchedule".equals(taint.getEffect()))
        .allMatch(taint -> tolerations.stream().anyMatch(toleration -> tolerates(toleration, taint)));
  }

  static boolean tolerates(Toleration toleration, Taint taint) {
    String effect = toleration.getEffect();
    if (effect != null && !effect.isEmpty() && !effect.equals(taint.getEffect())) {
      return false;
    }
    String key = toleration.getKey();
    boolean exists = "Exists".equals(toleration.getOperator());
    if (key == null || key.isEmpty()) {
      // An empty key with Exists tolerates everything.
      return exists;
    }
    if (!key.equals(taint.getKey())) {
      return false;
    }
    return exists || nullToEmpty(toleration.getValue()).equals(nullToEmpty(taint.getValue()));
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
