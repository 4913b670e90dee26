package dev.contrastive.trainer.engine;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns libtorch's autograd off for the calling thread until closed, then restores what it was.
 * libtorch keeps grad mode per thread and starts every thread with it on; DJL turns it off only on
 * the thread that loads the engine, and a gradient collector restores whatever it found. So a
 * thread that did not load the engine records in-place updates of parameters into the graph (or
 * fails: "a leaf Variable that requires grad is being used in an in-place operation").
 */
public final class NoGrad implements AutoCloseable {

  private final boolean wasEnabled;

  private NoGrad() {
    wasEnabled = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
  }

  /** Grad mode off on this thread; close (try-with-resources) on the same thread. */
  public static NoGrad enter() {
    return new NoGrad();
  }

  @Override
  public void close() {
    JniUtils.setGradMode(wasEnabled);
  }
}
