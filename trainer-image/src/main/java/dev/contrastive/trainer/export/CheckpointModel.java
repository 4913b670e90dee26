package dev.contrastive.trainer.export;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.model.SimClrModel;
import dev.contrastive.trainer.train.Checkpoint;
import dev.contrastive.trainer.train.SimClrNetwork;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The run's model with a checkpoint's parameters, refused when the checkpoint was written by
 * another architecture. DJL's loader checks neither: it takes each stored array with whatever
 * shape it has, so a ResNet-18 at width 64 loads "fine" into one at width 16 and fails much later.
 */
public final class CheckpointModel {

  /** A checkpoint that does not fit the run's architecture. */
  public static final class IncompatibleCheckpointException extends RuntimeException {
    IncompatibleCheckpointException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private CheckpointModel() {}

  /**
   * Builds the run's model and loads {@code checkpoint} into it.
   *
   * @throws IncompatibleCheckpointException naming the checkpoint and the architecture, when the
   *     checkpoint cannot be read into the model or a parameter's shape differs
   */
  public static SimClrModel load(ContrastiveTrainingRunSpec spec, Checkpoint checkpoint, NDManager manager) {
    SimClrModel model = SimClrNetwork.create(spec, manager);
    Map<String, Shape> expected = shapes(model);
    String refusal = checkpoint.dir() + ": not a checkpoint of this run's architecture ("
        + EncoderExport.describe(spec.architecture) + ")";
    try {
      checkpoint.loadParametersInto(model, manager);
    } catch (RuntimeException e) {
      throw new IncompatibleCheckpointException(refusal + ": " + firstLine(e), e);
    }
    Map<String, Shape> loaded = shapes(model);
    for (Map.Entry<String, Shape> entry : expected.entrySet()) {
      Shape found = loaded.get(entry.getKey());
      if (!entry.getValue().equals(found)) {
        throw new IncompatibleCheckpointException(refusal + ": parameter " + entry.getKey() + " has shape "
            + found + " there, the architecture needs " + entry.getValue(), null);
      }
    }
    return model;
  }

  private static Map<String, Shape> shapes(SimClrModel model) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    for (Pair<String, Parameter> parameter : model.getParameters()) {
      shapes.put(parameter.getKey(), parameter.getValue().getArray().getShape());
    }
    return shapes;
  }

  /** The innermost message: what DJL's loader tripped on, without the wrappers' repetitions. */
  private static String firstLine(Throwable e) {
    String message = e.getClass().getSimpleName();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage().lines().findFirst().orElse(message);
      }
    }
    return message;
  }
}
