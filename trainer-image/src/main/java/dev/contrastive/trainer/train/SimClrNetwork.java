package dev.contrastive.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.model.SimClrModel;

/** Builds the run's {@link SimClrModel} with parameters drawn from the run's seed. */
public final class SimClrNetwork {

  private SimClrNetwork() {}

  /**
   * The model of a resolved spec, initialised under {@code manager}. The same seed gives the same
   * parameters in every process, which the rank-0 broadcast then guarantees bit for bit.
   */
  public static SimClrModel create(ContrastiveTrainingRunSpec spec, NDManager manager) {
    int imageSize = spec.dataset.imageSize;
    SimClrModel model;
    try {
      model = SimClrModel.create(spec.architecture, imageSize);
    } catch (IllegalArgumentException e) {
      // the factory names the field ("architecture.width=..."): a config the user can fix
      throw new InvalidConfigException("spec.architecture", "spec." + e.getMessage());
    }
    Engine.getInstance().setRandomSeed(Math.toIntExact(spec.trainer.seed % Integer.MAX_VALUE));
    model.initialize(manager, DataType.FLOAT32, new Shape(2, 3, imageSize, imageSize));
    return model;
  }
}
