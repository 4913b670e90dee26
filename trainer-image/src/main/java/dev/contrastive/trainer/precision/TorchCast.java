package dev.contrastive.trainer.precision;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;

/**
 * A cast that autograd records, between fp32 and bf16 or fp16. DJL 0.36 cannot do it itself: its
 * JNI maps no bfloat16 type (asking for one aborts the JVM) and runs {@code NDArray.toType} with
 * autograd off, which would cut the graph at every cast. Each cast here is a one-line TorchScript
 * module ({@code x.to(dtype)}, written by scripts/make-torch-casts.py) that libtorch runs with the
 * caller's grad mode, so backward carries gradients across it. DJL reports a bf16 array's type as
 * {@link DataType#UNKNOWN}; libtorch knows it.
 */
final class TorchCast {

  // the models, not only their blocks: a collected Model releases its module
  private static final Map<DataType, Model> MODULES = new EnumMap<>(DataType.class);

  private TorchCast() {}

  /** {@code array} cast to {@code target} (FLOAT32, FLOAT16 or BFLOAT16), in {@code array}'s manager. */
  static NDArray to(NDArray array, DataType target) {
    return module(target).forward(new ParameterStore(array.getManager(), false), new NDList(array), true).head();
  }

  private static synchronized Block module(DataType target) {
    return MODULES.computeIfAbsent(target, TorchCast::load).getBlock();
  }

  private static Model load(DataType target) {
    String name = switch (target) {
      case FLOAT32 -> "to_float32";
      case FLOAT16 -> "to_float16";
      case BFLOAT16 -> "to_bfloat16";
      default -> throw new IllegalArgumentException("no cast to " + target);
    };
    // kept for the JVM's life: three modules of a few hundred bytes
    Model model = Model.newInstance(name, "PyTorch");
    try (InputStream in = TorchCast.class.getResourceAsStream(name + ".pt")) {
      if (in == null) {
        throw new IllegalStateException("the trainer jar lacks " + name + ".pt");
      }
      model.load(in, Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the cast module " + name + ": " + e.getMessage(), e);
    } catch (MalformedModelException e) {
      throw new IllegalStateException("cannot load the cast module " + name + ": " + e.getMessage(), e);
    }
    return model;
  }
}
