package dev.contrastive.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;
import dev.contrastive.trainer.engine.NoGrad;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * An optimizer whose state is keyed by parameter name, so a checkpoint restores it exactly (DJL's
 * own optimizers key state by per-run random ids and offer no way to save it).
 *
 * <p>Use: after {@code collector.backward(loss)} and closing the collector (and, across ranks,
 * averaging the gradients), call {@link #step(ParameterList, float)} once per training step.
 */
public abstract class ParameterOptimizer implements AutoCloseable {

  private final NDManager stateManager;
  private final Map<String, NDArray> state = new TreeMap<>();

  /** State arrays live in a sub-manager of {@code manager}, closed by {@link #close()}. */
  protected ParameterOptimizer(NDManager manager) {
    stateManager = manager.newSubManager();
  }

  /**
   * Updates every trainable parameter in place from its gradient, then zeroes the gradient (DJL's
   * gradient collector accumulates into it otherwise). Parameters without gradient, such as
   * BatchNorm running statistics, are left alone. Temporary arrays are freed before returning.
   * Runs with autograd off on the calling thread, whichever thread that is.
   *
   * @param parameters the model's parameters, e.g. {@code block.getParameters()}
   * @param lr the learning rate for this step, e.g. {@link LearningRateSchedule#at(long)}
   */
  public final void step(ParameterList parameters, float lr) {
    try (NoGrad noGrad = NoGrad.enter()) {
      for (Pair<String, Parameter> entry : parameters) {
        Parameter parameter = entry.getValue();
        if (!parameter.requiresGradient()) {
          continue;
        }
        try (NDScope scope = new NDScope()) {
          scope.suppressNotUsedWarning();
          NDArray weight = parameter.getArray();
          NDArray gradient = weight.getGradient();
          update(entry.getKey(), weight, gradient, lr);
          gradient.subi(gradient);
        }
      }
    }
  }

  /**
   * Updates one parameter in place. Must run outside a gradient collector.
   *
   * @param name the parameter's name, the key of its state
   * @param weight the parameter's array, changed in place
   * @param gradient its gradient, not changed
   * @param lr the learning rate
   */
  public abstract void update(String name, NDArray weight, NDArray gradient, float lr);

  /** The optimizer state, keyed {@code <parameter name>.<slot>}; live arrays, do not close them. */
  public Map<String, NDArray> stateDict() {
    return Collections.unmodifiableMap(state);
  }

  /** Replaces the state by copies of {@code saved} (as returned by {@link #stateDict()}). */
  public void loadStateDict(Map<String, NDArray> saved) {
    state.values().forEach(NDArray::close);
    state.clear();
    for (Map.Entry<String, NDArray> entry : saved.entrySet()) {
      NDArray copy = entry.getValue().duplicate();
      copy.attach(stateManager);
      NDScope.unregister(copy);
      state.put(entry.getKey(), copy);
    }
  }

  /** The state slot {@code name.slot}, created as zeros shaped like {@code like} on first use. */
  protected NDArray slot(String name, String slot, NDArray like) {
    return slot(name, slot, like.getShape(), like.getDataType());
  }

  /**
   * The state slot {@code name.slot}, created as zeros of the given shape on first use; also for
   * state kept beside the parameters' (the fp16 loss scale), so checkpoints carry it.
   */
  public NDArray stateSlot(String name, String slot, Shape shape, DataType dataType) {
    return slot(name, slot, shape, dataType);
  }

  /** The state slot {@code name.slot}, created as zeros of the given shape on first use. */
  protected NDArray slot(String name, String slot, Shape shape, DataType dataType) {
    String key = name + "." + slot;
    NDArray array = state.get(key);
    if (array == null) {
      array = stateManager.zeros(shape, dataType);
      NDScope.unregister(array);
      state.put(key, array);
    } else if (!array.getShape().equals(shape)) {
      throw new IllegalArgumentException(
          "optimizer state " + key + " has shape " + array.getShape() + " but the parameter has "
              + shape + ": the checkpoint belongs to another architecture");
    }
    return array;
  }

  /**
   * Whether a parameter is a bias or a normalisation scale/shift: the one-dimensional ones. They
   * get no weight decay and, in LARS, no trust-ratio adaptation.
   */
  protected static boolean isBiasOrNorm(NDArray weight) {
    return weight.getShape().dimension() <= 1;
  }

  @Override
  public void close() {
    stateManager.close();
  }
}
