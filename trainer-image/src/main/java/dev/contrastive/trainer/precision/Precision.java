package dev.contrastive.trainer.precision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.contrastive.api.config.InvalidConfigException;

/**
 * {@code trainer.precision}: the data type the encoder and head compute in. Parameters, their
 * gradients, the optimizer state and checkpoints stay fp32 in every precision (master weights);
 * only the forward's and backward's arithmetic narrows.
 */
public enum Precision {
  FP32("fp32", DataType.FLOAT32),
  BF16("bf16", DataType.BFLOAT16),
  FP16("fp16", DataType.FLOAT16);

  private final String key;
  private final DataType compute;

  Precision(String key, DataType compute) {
    this.key = key;
    this.compute = compute;
  }

  /**
   * The precision named by {@code trainer.precision}; null means fp32.
   *
   * @throws InvalidConfigException naming the field and the allowed values
   */
  public static Precision of(String value) {
    if (value == null) {
      return FP32;
    }
    for (Precision precision : values()) {
      if (precision.key.equals(value)) {
        return precision;
      }
    }
    throw InvalidConfigException.at("spec.trainer.precision", "'" + value + "' is not allowed; allowed: fp32, bf16, fp16");
  }

  /** The data type of the convolutions', matrix products' and activations' arithmetic. */
  public DataType compute() {
    return compute;
  }

  /** Whether the step computes in less than fp32. */
  public boolean reduced() {
    return this != FP32;
  }

  /** Whether the loss must be scaled so small gradients do not flush to zero (fp16's 5 exponent bits). */
  public boolean scalesLoss() {
    return this == FP16;
  }

  /**
   * {@code array} in the compute type, cast where autograd records it (itself when it is not fp32:
   * DJL reports bf16 as UNKNOWN).
   */
  public NDArray toCompute(NDArray array) {
    return compute == DataType.FLOAT32 || array.getDataType() != DataType.FLOAT32
        ? array : TorchCast.to(array, compute);
  }

  /**
   * {@code array} (fp32) in the type of {@code like}, where autograd records it; DJL's UNKNOWN is
   * taken for bf16, the only type our arrays have that DJL cannot name.
   */
  public static NDArray castLike(NDArray array, NDArray like) {
    DataType type = like.getDataType();
    return type == DataType.FLOAT32 ? array
        : TorchCast.to(array, type == DataType.UNKNOWN ? DataType.BFLOAT16 : type);
  }

  /** {@code array} in fp32 (itself when it already is), for the loss and whatever leaves the model. */
  public static NDArray toFloat32(NDArray array) {
    return array.getDataType() == DataType.FLOAT32 ? array : TorchCast.to(array, DataType.FLOAT32);
  }

  /** One line for the start-up log. */
  public String describe() {
    return switch (this) {
      case FP32 -> "fp32";
      case BF16 -> "bf16 compute, fp32 parameters, gradients, optimizer state and loss";
      case FP16 -> "fp16 compute with dynamic loss scaling, fp32 parameters, gradients, optimizer state and loss";
    };
  }

  @Override
  public String toString() {
    return key;
  }
}
