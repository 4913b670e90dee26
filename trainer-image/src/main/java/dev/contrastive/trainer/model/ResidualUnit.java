package dev.contrastive.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One ResNet unit: {@code relu(branch(x) + shortcut(x))}. The shortcut is the identity unless the
 * unit changes resolution or channels, then a 1x1 convolution + BatchNorm (torchvision's
 * "option B").
 */
public final class ResidualUnit extends AbstractBlock {

  private final Block branch;
  private final Block shortcut;
  private final boolean projectedShortcut;

  private ResidualUnit(SequentialBlock branch, int inChannels, int outChannels, int stride) {
    this.branch = addChildBlock("branch", branch);
    this.projectedShortcut = stride != 1 || inChannels != outChannels;
    this.shortcut =
        addChildBlock(
            "shortcut",
            !projectedShortcut
                ? Blocks.identityBlock()
                : new NormSequence().add(conv(outChannels, 1, stride)).add(batchNorm()));
  }

  /** The basic unit of ResNet-18/34: two 3x3 convolutions, {@code outChannels} wide. */
  public static ResidualUnit basic(int inChannels, int outChannels, int stride) {
    SequentialBlock branch =
        new NormSequence()
            .add(conv(outChannels, 3, stride))
            .add(batchNorm())
            .add(ReleasingRelu::apply)
            .add(conv(outChannels, 3, 1))
            .add(batchNorm());
    return new ResidualUnit(branch, inChannels, outChannels, stride);
  }

  /**
   * The bottleneck unit of ResNet-50: 1x1 down to {@code width}, 3x3 (carrying the stride, as in
   * torchvision's ResNet v1.5), 1x1 up to {@code 4 * width}.
   */
  public static ResidualUnit bottleneck(int inChannels, int width, int stride) {
    int outChannels = 4 * width;
    SequentialBlock branch =
        new NormSequence()
            .add(conv(width, 1, 1))
            .add(batchNorm())
            .add(ReleasingRelu::apply)
            .add(conv(width, 3, stride))
            .add(batchNorm())
            .add(ReleasingRelu::apply)
            .add(conv(outChannels, 1, 1))
            .add(batchNorm());
    return new ResidualUnit(branch, inChannels, outChannels, stride);
  }

  static Conv2d conv(int filters, int kernel, int stride) {
    return Conv2d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(kernel / 2, kernel / 2))
        .optBias(false) // BatchNorm follows, a bias would be redundant
        .build();
  }

  static BatchNorm batchNorm() {
    return BatchNorm.builder().build();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDList input = SyncBatchNorm.cutInput(inputs, training, params);
    NDArray residual = branch.forward(parameterStore, input, training, params).singletonOrThrow();
    NDArray skip = shortcut.forward(parameterStore, input, training, params).singletonOrThrow();
    // Out of place: DJL's BatchNorm output is a strided view, and an in-place add on it made
    // autograd clone and copy an activation-sized gradient per unit in backward (profiled).
    NDArray sum = residual.add(skip);
    residual.close();
    if (projectedShortcut) {
      skip.close(); // the shortcut's BatchNorm output, added in: nothing needs it any more
    }
    return ReleasingRelu.apply(new NDList(sum));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return branch.getOutputShapes(inputShapes);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    branch.initialize(manager, dataType, inputShapes);
    shortcut.initialize(manager, dataType, inputShapes);
  }
}
