package dev.contrastive.trainer.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.contrastive.api.encoder.ResNetDepth;
import dev.contrastive.api.encoder.ResNetStem;

/**
 * ResNet-18/34 (basic units) and ResNet-50/101/152 (bottleneck units) without the classifier: the
 * output is the globally average-pooled last stage, (B, 8 * width) for 18/34 and (B, 32 * width)
 * for 50 and deeper. The depths and their units per stage are {@link ResNetDepth}'s.
 * Written here because DJL's {@code ResNetV1} builds a different network below 50 layers.
 */
public final class ResNetEncoder extends AbstractBlock implements Encoder {

  private final SequentialBlock body;
  private final int featureDim;

  /**
   * Builds the encoder.
   *
   * @param depth 18, 34, 50, 101 or 152 ({@link ResNetDepth})
   * @param width channels of the first stage (64 in the standard networks), 16 or a multiple of 32
   * @param stem the stem for the image size
   * @throws IllegalArgumentException when the depth is not one of {@link ResNetDepth} or the width
   *     is neither 16 nor a positive multiple of 32
   */
  public ResNetEncoder(int depth, int width, ResNetStem stem) {
    // libtorch 2.7.1 (oneDNN) on AVX-512 computes wrong, even NaN, input gradients for convolutions
    // whose channel count is not a multiple of its SIMD block (16 floats), and wrong ones for the
    // stride-2 3x3 convolution that starts stage 2 when it reads 48, 80, 112, ... channels (docs/cpu.md)
    if (width != 16 && (width < 32 || width % 32 != 0)) {
      throw new IllegalArgumentException("architecture.width=" + width + " is neither 16 nor a multiple of 32:"
          + " other widths get wrong gradients on AVX-512 CPUs; use 16, 32, 64, 96, 128, ...");
    }
    ResNetDepth layout = ResNetDepth.of(depth).orElseThrow(() -> new IllegalArgumentException(
        "architecture.depth=" + depth + " is not a ResNet depth: use one of " + ResNetDepth.allowed()));
    int[] unitsPerStage = layout.unitsPerStage();
    boolean bottleneck = layout.bottleneck();
    body = addChildBlock("body", new NormSequence());
    body.add(stem(width, stem));
    int channels = width;
    for (int stage = 0; stage < unitsPerStage.length; stage++) {
      int stageWidth = width << stage;
      for (int unit = 0; unit < unitsPerStage[stage]; unit++) {
        int stride = stage > 0 && unit == 0 ? 2 : 1;
        ResidualUnit block =
            bottleneck
                ? ResidualUnit.bottleneck(channels, stageWidth, stride)
                : ResidualUnit.basic(channels, stageWidth, stride);
        body.add(block);
        channels = bottleneck ? 4 * stageWidth : stageWidth;
      }
    }
    body.add(Pool.globalAvgPool2dBlock());
    featureDim = channels;
  }

  private static SequentialBlock stem(int width, ResNetStem stem) {
    SequentialBlock block = new NormSequence();
    if (stem == ResNetStem.CIFAR) {
      block.add(ResidualUnit.conv(width, 3, 1));
    } else {
      block.add(
          Conv2d.builder()
              .setFilters(width)
              .setKernelShape(new Shape(7, 7))
              .optStride(new Shape(2, 2))
              .optPadding(new Shape(3, 3))
              .optBias(false)
              .build());
    }
    block.add(ResidualUnit.batchNorm()).add(ReleasingRelu::apply);
    if (stem == ResNetStem.IMAGENET) {
      block.add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
    }
    return block;
  }

  @Override
  public int featureDim() {
    return featureDim;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    return body.forward(parameterStore, inputs, training, params);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return body.getOutputShapes(inputShapes);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    body.initialize(manager, dataType, inputShapes);
  }
}
