package dev.contrastive.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Java convolution computes what libtorch computes, on shapes libtorch gets right on every CPU
 * (multiples of 16 channels; docs/cpu.md): forward, input gradient and weight gradient.
 */
class ReferenceConvolutionTest {

  @ParameterizedTest(name = "{0}->{1} channels, {2}x{2} kernel, stride {3}, padding {4}, {5} px")
  @CsvSource({
      "16, 16, 3, 1, 1, 8",
      "16, 32, 3, 2, 1, 9",
      "32, 16, 1, 2, 0, 8",
      "16, 16, 3, 1, 0, 7"})
  void matchesLibtorch(int in, int out, int kernel, int stride, int padding, int size) {
    ReferenceConvolution conv = new ReferenceConvolution(in, out, kernel, stride, padding);
    int batch = 2;
    int outSize = conv.outputSize(size);
    Random random = new Random(3);
    double[] x = floats(random, batch * in * size * size);
    double[] w = floats(random, out * in * kernel * kernel);
    double[] dy = floats(random, batch * out * outSize * outSize);

    try (NDManager manager = NDManager.newBaseManager();
        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray input = manager.create(toFloat(x), new Shape(batch, in, size, size));
      NDArray weight = manager.create(toFloat(w), new Shape(out, in, kernel, kernel));
      input.setRequiresGradient(true);
      weight.setRequiresGradient(true);
      NDArray y = Conv2d.conv2d(input, weight, null, new Shape(stride, stride), new Shape(padding, padding)).head();
      assertThat(y.getShape()).isEqualTo(new Shape(batch, out, outSize, outSize));
      collector.backward(y.mul(manager.create(toFloat(dy), y.getShape())).sum());

      assertClose(conv.forward(x, batch, size, w), y.toFloatArray());
      assertClose(conv.inputGradient(dy, batch, size, w), input.getGradient().toFloatArray());
      assertClose(conv.weightGradient(x, dy, batch, size), weight.getGradient().toFloatArray());
    }
  }

  private static void assertClose(double[] expected, float[] actual) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual[i]).as("value %d", i).isCloseTo(expected[i],
          org.assertj.core.api.Assertions.within(1e-4 * (1 + Math.abs(expected[i]))));
    }
  }

  private static double[] floats(Random random, int n) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  private static float[] toFloat(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }
}
