package dev.contrastive.trainer.engine;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's autograd driven directly, per thread. DJL's {@code GradientCollector} allows one
 * collector per JVM (a static flag), so a step that waits in a collective between its forward and
 * its backwards cannot hold one while ranks run as threads of one JVM (the tests), and it cannot
 * give a backward its output gradient. Grad mode is per thread in libtorch, as {@link NoGrad} says.
 */
public final class Autograd implements AutoCloseable {

  private final boolean wasEnabled;

  private Autograd() {
    wasEnabled = JniUtils.isGradMode();
    JniUtils.setGradMode(true);
  }

  /** Records operations on this thread until closed (try-with-resources, same thread). */
  public static Autograd record() {
    return new Autograd();
  }

  /**
   * Backward of a scalar: adds d target / d leaf to every leaf's gradient, freeing each part of
   * the graph as it passes (as DJL's collector does).
   */
  public static void backward(NDArray target) {
    backward(target, false);
  }

  /** As {@link #backward(NDArray)}, keeping the graph for another pass when {@code keepGraph}. */
  public static void backward(NDArray target, boolean keepGraph) {
    try (NDArray ones = target.onesLike()) {
      backward(target, ones, keepGraph);
    }
  }

  /**
   * Backward with a given output gradient: adds {@code gradient} x d target / d leaf to every
   * leaf's gradient. {@code keepGraph} keeps what backward needs for another pass through the same
   * part of the graph; it is freed with the arrays.
   */
  public static void backward(NDArray target, NDArray gradient, boolean keepGraph) {
    JniUtils.backward((PtNDArray) target, (PtNDArray) gradient, keepGraph, false);
  }

  /**
   * As {@link #backward(NDArray, NDArray, boolean)} without keeping the graph, doing nothing when
   * {@code target} was not recorded (nothing below it takes a gradient). DJL cannot tell: its
   * {@code requiresGrad} is false for every result that is not a leaf, and its grad_fn name
   * dereferences a leaf's null grad_fn, so libtorch's own refusal is the test.
   */
  public static void backwardIfRecorded(NDArray target, NDArray gradient) {
    try {
      backward(target, gradient, false);
    } catch (EngineException e) {
      if (e.getMessage() == null || !e.getMessage().contains("does not require grad")) {
        throw e;
      }
    }
  }

  @Override
  public void close() {
    JniUtils.setGradMode(wasEnabled);
  }
}
