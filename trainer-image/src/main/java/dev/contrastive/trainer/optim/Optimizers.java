package dev.contrastive.trainer.optim;

import ai.djl.ndarray.NDManager;
import dev.contrastive.api.spec.OptimizerSpec;

/** Builds the optimizer a resolved {@link OptimizerSpec} describes. */
public final class Optimizers {

  private Optimizers() {}

  /**
   * Builds the optimizer; the learning rate is not part of it, it comes from the schedule on each
   * {@link ParameterOptimizer#step} call.
   *
   * @param optimizer the optimizer settings after presets and overrides are applied
   * @param manager the manager the optimizer state lives under (the model's)
   * @throws IllegalArgumentException naming the field, when one the type needs is not set
   */
  public static ParameterOptimizer create(OptimizerSpec optimizer, NDManager manager) {
    String type = required(optimizer.type, "type");
    switch (type) {
      case "sgd":
        return new Sgd(
            manager,
            required(optimizer.momentum, "momentum"),
            required(optimizer.weightDecay, "weightDecay"));
      case "adamw":
        return new AdamW(
            manager,
            required(optimizer.beta1, "beta1"),
            required(optimizer.beta2, "beta2"),
            required(optimizer.epsilon, "epsilon"),
            required(optimizer.weightDecay, "weightDecay"));
      case "lars":
        return new Lars(
            manager,
            required(optimizer.momentum, "momentum"),
            required(optimizer.weightDecay, "weightDecay"),
            required(optimizer.trustCoefficient, "trustCoefficient"));
      default:
        throw new IllegalArgumentException(
            "optimizer.type=" + type + " is unknown: use lars, adamw or sgd");
    }
  }

  private static <T> T required(T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException(
          "optimizer." + field + " is not set: choose a preset that sets it or set it yourself");
    }
    return value;
  }
}
