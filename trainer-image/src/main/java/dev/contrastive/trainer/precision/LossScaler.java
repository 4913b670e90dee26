package dev.contrastive.trainer.precision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;
import dev.contrastive.trainer.engine.NoGrad;
import dev.contrastive.trainer.optim.ParameterOptimizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Dynamic loss scaling for fp16, as torch's {@code GradScaler}: the loss is multiplied by the
 * scale before backward so small gradients survive fp16's range; after the gradients are averaged
 * over the gang, a step whose gradients hold an inf or NaN is skipped (the gradients zeroed) and
 * the scale halved, otherwise the gradients are divided by the scale (a power of two: exact) and
 * the optimizer steps; after {@link #GROWTH_INTERVAL} good steps in a row the scale doubles. The
 * averaged gradients are the same on every rank (an inf anywhere is inf in the sum), so every rank
 * decides alike. The scale and the count live in the optimizer's state, so a checkpoint keeps them
 * and a resumed run scales exactly as the uninterrupted one.
 */
public final class LossScaler {

  /** torch.cuda.amp.GradScaler's defaults. */
  public static final float INITIAL_SCALE = 65536f;
  public static final int GROWTH_INTERVAL = 2000;

  static final String STATE = "lossScaler";

  private final ParameterOptimizer optimizer;

  /** A scaler whose state is kept with {@code optimizer}'s. */
  public LossScaler(ParameterOptimizer optimizer) {
    this.optimizer = optimizer;
  }

  /** The scale the next step's loss is multiplied by. */
  public float scale() {
    return values()[0];
  }

  /** Steps since the last overflow or growth. */
  public int goodSteps() {
    return (int) values()[1];
  }

  /** Sets the scale (and clears the count of good steps), e.g. for a test. */
  public void setScale(float scale) {
    write(scale, 0);
  }

  /** The loss to backpropagate: {@code loss} times the scale, in fp32. */
  public NDArray scaled(NDArray loss) {
    return loss.mul(scale());
  }

  /**
   * Finishes a step after the gradients are averaged: unscales them and runs the optimizer, or, if
   * any is not finite, zeroes them and skips the update.
   *
   * @return whether the optimizer stepped
   */
  public boolean step(ParameterList parameters, float lr) {
    float[] state = values();
    float scale = state[0];
    List<NDArray> gradients = new ArrayList<>();
    try (NoGrad off = NoGrad.enter()) {
      for (Pair<String, Parameter> entry : parameters) {
        Parameter parameter = entry.getValue();
        if (parameter.requiresGradient() && parameter.isInitialized()) {
          gradients.add(parameter.getArray().getGradient());
        }
      }
      try {
        boolean finite = true;
        for (NDArray gradient : gradients) {
          try (NDArray sum = gradient.sum()) {
            // NaN and inf survive a sum; a finite sum that overflows means gradients near fp32's limit
            finite &= Float.isFinite(sum.getFloat());
          }
        }
        if (!finite) {
          // inf - inf is NaN: assign zeros rather than subtract, or the next step inherits them
          gradients.forEach(g -> g.set(new NDIndex("..."), 0f));
          write(scale / 2, 0);
          return false;
        }
        float unscale = 1f / scale;
        gradients.forEach(g -> g.muli(unscale));
      } finally {
        gradients.forEach(NDArray::close);
      }
    }
    optimizer.step(parameters, lr);
    int good = (int) state[1] + 1;
    if (good >= GROWTH_INTERVAL) {
      write(scale * 2, 0);
    } else {
      write(scale, good);
    }
    return true;
  }

  private NDArray array() {
    NDArray array = optimizer.stateSlot(STATE, "scaleAndGoodSteps", new Shape(2), DataType.FLOAT32);
    if (array.getFloat(0) == 0) {
      writeInto(array, INITIAL_SCALE, 0);
    }
    return array;
  }

  private float[] values() {
    return array().toFloatArray();
  }

  private void write(float scale, int good) {
    writeInto(array(), scale, good);
  }

  private static void writeInto(NDArray array, float scale, int good) {
    try (NoGrad off = NoGrad.enter(); NDManager scope = array.getManager().newSubManager()) {
      NDArray values = scope.create(new float[] {scale, good});
      array.set(new NDIndex("..."), values);
    }
  }
}
