package dev.contrastive.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The unit frees intermediates during the forward ({@link ReleasingRelu}, the shortcut's output):
 * its outputs and gradients must equal those of the same unit built from stock DJL blocks, which
 * keep every intermediate.
 *
 * <p>Every convolution here has a multiple of 16 channels: with fewer, libtorch's backward gives
 * different (even NaN) input gradients run to run on AVX-512 CPUs (docs/cpu.md), and the two
 * computations would differ for that reason alone.
 */
class ResidualUnitGradientTest {

  private static final Shape INPUT = new Shape(4, 16, 6, 6);

  @Test
  void basicUnitWithProjectedShortcutHasTheStockGradients() {
    assertSameOutputAndGradients(
        ResidualUnit.basic(16, 32, 2),
        stock(basicBranch(32, 2), projection(32, 2)));
  }

  @Test
  void basicUnitWithIdentityShortcutHasTheStockGradients() {
    assertSameOutputAndGradients(
        ResidualUnit.basic(16, 16, 1), stock(basicBranch(16, 1), Blocks.identityBlock()));
  }

  @Test
  void bottleneckUnitHasTheStockGradients() {
    assertSameOutputAndGradients(
        ResidualUnit.bottleneck(16, 16, 2),
        stock(
            new SequentialBlock()
                .add(ResidualUnit.conv(16, 1, 1)).add(ResidualUnit.batchNorm()).add(Activation::relu)
                .add(ResidualUnit.conv(16, 3, 2)).add(ResidualUnit.batchNorm()).add(Activation::relu)
                .add(ResidualUnit.conv(64, 1, 1)).add(ResidualUnit.batchNorm()),
            projection(64, 2)));
  }

  private static SequentialBlock basicBranch(int channels, int stride) {
    return new SequentialBlock()
        .add(ResidualUnit.conv(channels, 3, stride))
        .add(ResidualUnit.batchNorm())
        .add(Activation::relu)
        .add(ResidualUnit.conv(channels, 3, 1))
        .add(ResidualUnit.batchNorm());
  }

  private static SequentialBlock projection(int channels, int stride) {
    return new SequentialBlock()
        .add(ResidualUnit.conv(channels, 1, stride))
        .add(ResidualUnit.batchNorm());
  }

  /** relu(branch(x) + shortcut(x)) with DJL's own ReLU, nothing closed early. */
  private static Block stock(Block branch, Block shortcut) {
    return new ParallelBlock(
        outputs -> new NDList(Activation.relu(
            outputs.get(0).singletonOrThrow().add(outputs.get(1).singletonOrThrow()))),
        List.of(branch, shortcut));
  }

  private static void assertSameOutputAndGradients(Block unit, Block reference) {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray input = manager.randomNormal(INPUT);
      Result actual = run(unit, input, manager);
      Result expected = run(reference, input, manager);
      assertThat(actual.parameters).as("same initial parameters").hasSameSizeAs(expected.parameters);
      for (int i = 0; i < expected.parameters.size(); i++) {
        assertThat(actual.parameters.get(i)).containsExactly(expected.parameters.get(i));
      }
      assertThat(actual.output).containsExactly(expected.output, within(1e-6f));
      assertThat(actual.inputGradient).containsExactly(expected.inputGradient, within(1e-6f));
      for (int i = 0; i < expected.gradients.size(); i++) {
        assertThat(actual.gradients.get(i)).as("gradient %d", i)
            .containsExactly(expected.gradients.get(i), within(1e-6f));
      }
    }
  }

  private static Result run(Block block, NDArray source, NDManager manager) {
    Engine.getInstance().setRandomSeed(7);
    block.initialize(manager, DataType.FLOAT32, INPUT);
    Result result = new Result();
    for (Pair<String, Parameter> p : block.getParameters()) {
      result.parameters.add(p.getValue().getArray().toFloatArray());
    }
    try (NDManager step = manager.newSubManager();
        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray input = source.duplicate();
      input.attach(step);
      input.setRequiresGradient(true);
      NDArray output =
          block.forward(new ParameterStore(step, false), new NDList(input), true).singletonOrThrow();
      // a loss that weighs every output differently, so each gradient entry is distinct
      NDArray weights = step.arange((float) output.size()).reshape(output.getShape()).div(output.size());
      collector.backward(output.mul(weights).sum());
      result.output = output.toFloatArray();
      result.inputGradient = input.getGradient().toFloatArray();
    }
    for (Pair<String, Parameter> p : block.getParameters()) {
      if (p.getValue().requiresGradient()) {
        try (NDArray gradient = p.getValue().getArray().getGradient()) {
          result.gradients.add(gradient.toFloatArray());
        }
      }
    }
    return result;
  }

  private static final class Result {
    final List<float[]> parameters = new ArrayList<>();
    final List<float[]> gradients = new ArrayList<>();
    float[] output;
    float[] inputGradient;
  }
}
