package dev.contrastive.trainer.precision;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.HashMap;
import java.util.Map;

/**
 * The forward's view of the parameters in mixed precision: weights and biases (of convolutions,
 * linear layers, embeddings) come as a copy in the compute type, cast once per forward; BatchNorm's
 * and LayerNorm's scale, shift and running statistics stay the fp32 arrays. The cast is recorded by
 * autograd, so backward lands each gradient, cast back, in the fp32 master parameter's gradient,
 * and the optimizer, the all-reduce and checkpoints never see the low precision.
 */
public final class CastingParameterStore extends ParameterStore {

  private final Precision precision;
  private final Map<String, NDArray> casts = new HashMap<>();

  /** Casts live in {@code manager}, which the caller closes after the forward. */
  public CastingParameterStore(NDManager manager, Precision precision) {
    super(manager, false);
    this.precision = precision;
  }

  @Override
  public NDArray getValue(Parameter parameter, Device device, boolean training) {
    NDArray master = super.getValue(parameter, device, training);
    if (master == null || !precision.reduced() || !casts(parameter)) {
      return master;
    }
    return casts.computeIfAbsent(parameter.getId(), id -> {
      NDArray cast = precision.toCompute(master);
      // made under the parameter's manager, which lives as long as the model: one per step would leak
      cast.attach(getManager());
      return cast;
    });
  }

  private static boolean casts(Parameter parameter) {
    Parameter.Type type = parameter.getType();
    return type == Parameter.Type.WEIGHT || type == Parameter.Type.BIAS;
  }
}
