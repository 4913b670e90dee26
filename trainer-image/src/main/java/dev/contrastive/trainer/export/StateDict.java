package dev.contrastive.trainer.export;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.LayerNorm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A PyTorch {@code state_dict} being assembled from DJL layers: each method takes one DJL layer
 * and adds its tensors under the names the matching {@code torch.nn} module gives them. Layouts
 * agree already: DJL's Linear weight is (out, in) and its convolution weight (out, in, kH, kW), as
 * in PyTorch, so only names change.
 */
final class StateDict {

  private final List<Safetensors.Tensor> tensors = new ArrayList<>();
  private final long batchesTracked;

  /**
   * @param batchesTracked what PyTorch's BatchNorm counts in {@code num_batches_tracked}: the
   *     optimizer steps trained (one training forward per step)
   */
  StateDict(long batchesTracked) {
    this.batchesTracked = batchesTracked;
  }

  List<Safetensors.Tensor> tensors() {
    return List.copyOf(tensors);
  }

  /** {@code nn.Conv2d}: weight, and bias when it has one. */
  void conv(String prefix, Block block) {
    Conv2d conv = expect(block, Conv2d.class, prefix);
    add(prefix + "weight", param(conv, "weight"));
    optional(prefix + "bias", conv, "bias");
  }

  /** {@code nn.Linear}: weight (out, in), and bias when it has one. */
  void linear(String prefix, Block block) {
    Linear linear = expect(block, Linear.class, prefix);
    add(prefix + "weight", param(linear, "weight"));
    optional(prefix + "bias", linear, "bias");
  }

  /** {@code nn.BatchNorm1d/2d}: affine weights, running statistics and the batch count. */
  void batchNorm(String prefix, Block block) {
    BatchNorm norm = expect(block, BatchNorm.class, prefix);
    add(prefix + "weight", param(norm, "gamma"));
    add(prefix + "bias", param(norm, "beta"));
    add(prefix + "running_mean", param(norm, "runningMean"));
    add(prefix + "running_var", param(norm, "runningVar"));
    tensors.add(Safetensors.Tensor.i64Scalar(prefix + "num_batches_tracked", batchesTracked));
  }

  /** {@code nn.LayerNorm}: weight and bias. */
  void layerNorm(String prefix, Block block) {
    LayerNorm norm = expect(block, LayerNorm.class, prefix);
    add(prefix + "weight", param(norm, "gamma"));
    add(prefix + "bias", param(norm, "beta"));
  }

  /** A bare {@code nn.Parameter}, given the shape PyTorch's module declares. */
  void parameter(String name, Parameter parameter, long... torchShape) {
    NDArray array = parameter.getArray();
    if (array.size() != Arrays.stream(torchShape).reduce(1, Math::multiplyExact)) {
      throw new IllegalStateException(
          name + ": " + array.getShape() + " does not fit " + Arrays.toString(torchShape));
    }
    tensors.add(Safetensors.Tensor.f32(name, torchShape, array::toFloatArray));
  }

  private void add(String name, NDArray array) {
    tensors.add(Safetensors.Tensor.f32(name, array.getShape().getShape(), array::toFloatArray));
  }

  private void optional(String name, Block block, String djlName) {
    Parameter parameter = block.getDirectParameters().get(djlName);
    if (parameter != null && parameter.isInitialized()) {
      add(name, parameter.getArray());
    }
  }

  private static NDArray param(Block block, String djlName) {
    Parameter parameter = block.getDirectParameters().get(djlName);
    if (parameter == null || !parameter.isInitialized()) {
      throw new IllegalStateException(block.getClass().getSimpleName() + " has no initialised " + djlName);
    }
    return parameter.getArray();
  }

  private static <T extends Block> T expect(Block block, Class<T> type, String prefix) {
    if (!type.isInstance(block)) {
      throw new IllegalStateException(prefix + ": expected a DJL " + type.getSimpleName()
          + " but the model has a " + block.getClass().getSimpleName() + " there");
    }
    return type.cast(block);
  }
}
