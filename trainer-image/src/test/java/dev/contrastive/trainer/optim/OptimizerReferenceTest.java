package dev.contrastive.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Three updates of a 2x2 matrix and a bias, against the update rules written out in doubles. */
class OptimizerReferenceTest {

  private static final double[] WEIGHT = {0.5, -1.0, 2.0, 0.25};
  private static final double[] BIAS = {0.1, -0.2};
  private static final double[][] GRADIENTS = {{0.1, 0.2, -0.3, 0.4}, {-0.5, 0.1, 0.2, 0.0}, {
    0.3, -0.3, 0.1, 0.2
  }};
  private static final float LR = 0.1f;

  @Test
  void sgdMatchesTheReference() {
    double momentum = 0.9;
    double wd = 0.01;
    check(
        manager -> new Sgd(manager, momentum, wd),
        (w, decays) -> {
          double[] v = new double[w.length];
          for (double[] g : GRADIENTS) {
            for (int i = 0; i < w.length; i++) {
              double d = g[i % g.length] + (decays ? wd * w[i] : 0);
              v[i] = momentum * v[i] + d;
              w[i] -= LR * v[i];
            }
          }
          return w;
        });
  }

  @Test
  void adamWMatchesTheReference() {
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    double wd = 0.05;
    check(
        manager -> new AdamW(manager, b1, b2, eps, wd),
        (w, decays) -> {
          double[] m = new double[w.length];
          double[] v = new double[w.length];
          int t = 0;
          for (double[] g : GRADIENTS) {
            t++;
            for (int i = 0; i < w.length; i++) {
              double gi = g[i % g.length];
              m[i] = b1 * m[i] + (1 - b1) * gi;
              v[i] = b2 * v[i] + (1 - b2) * gi * gi;
              double mHat = m[i] / (1 - Math.pow(b1, t));
              double vHat = v[i] / (1 - Math.pow(b2, t));
              w[i] -= LR * (mHat / (Math.sqrt(vHat) + eps) + (decays ? wd * w[i] : 0));
            }
          }
          return w;
        });
  }

  @Test
  void larsMatchesTheReference() {
    double momentum = 0.9;
    double wd = 1e-4;
    double eta = 0.001;
    check(
        manager -> new Lars(manager, momentum, wd, eta),
        (w, adapts) -> {
          double[] v = new double[w.length];
          for (double[] g : GRADIENTS) {
            double[] gs = new double[w.length];
            for (int i = 0; i < w.length; i++) {
              gs[i] = g[i % g.length];
            }
            double lr = LR;
            if (adapts) {
              double wn = norm(w);
              lr *= eta * wn / (norm(gs) + wd * wn);
            }
            for (int i = 0; i < w.length; i++) {
              double d = gs[i] + (adapts ? wd * w[i] : 0);
              v[i] = momentum * v[i] + lr * d;
              w[i] -= v[i];
            }
          }
          return w;
        });
  }

  private interface Reference {
    /** Applies the three updates to {@code w}; {@code matrix} is false for the bias. */
    double[] apply(double[] w, boolean matrix);
  }

  private static void check(Function<NDManager, ParameterOptimizer> factory, Reference reference) {
    try (NDManager manager = NDManager.newBaseManager();
        ParameterOptimizer optimizer = factory.apply(manager)) {
      NDArray weight = manager.create(toFloats(WEIGHT), new Shape(2, 2));
      NDArray bias = manager.create(toFloats(BIAS));
      for (double[] g : GRADIENTS) {
        optimizer.update("weight", weight, manager.create(toFloats(g), new Shape(2, 2)), LR);
        optimizer.update("bias", bias, manager.create(toFloats(new double[] {g[0], g[1]})), LR);
      }
      assertClose(weight.toFloatArray(), reference.apply(WEIGHT.clone(), true));
      assertClose(bias.toFloatArray(), reference.apply(BIAS.clone(), false));
    }
  }

  private static void assertClose(float[] actual, double[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-6));
    }
  }

  private static float[] toFloats(double[] values) {
    float[] floats = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      floats[i] = (float) values[i];
    }
    return floats;
  }

  private static double norm(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v * v;
    }
    return Math.sqrt(sum);
  }
}
