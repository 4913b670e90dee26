package dev.contrastive.trainer.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.contrastive.api.spec.ArchitectureSpec;

/** Small SimCLR networks the model, precision and resume tests build, each spelled out once. */
public final class TinyModels {

  /** The image size of runs/tiny.yaml. */
  public static final int SIZE = 16;

  private TinyModels() {}

  /** The network of runs/tiny.yaml: ResNet-18 at width 16 with the CIFAR stem and a 32-16 head. */
  public static ArchitectureSpec tinyRunSpec() {
    ArchitectureSpec spec = new ArchitectureSpec();
    spec.family = "resnet";
    spec.depth = 18;
    spec.width = 16;
    spec.stem = "cifar";
    spec.projectionHiddenDim = 32;
    spec.projectionDim = 16;
    return spec;
  }

  /** {@link #tinyRunSpec}'s network on {@value #SIZE} px images, initialised from the engine's random state. */
  public static SimClrModel tinyRun(NDManager manager) {
    SimClrModel model = SimClrModel.create(tinyRunSpec(), SIZE);
    model.initialize(manager, DataType.FLOAT32, new Shape(2, 3, SIZE, SIZE));
    return model;
  }

  /**
   * A small encoder of {@code family} (ResNet-18 or two blocks, width 16, patch 4, two heads) with
   * the given projection head.
   */
  public static ArchitectureSpec of(String family, int projectionHiddenDim, int projectionDim) {
    ArchitectureSpec spec = new ArchitectureSpec();
    spec.family = family;
    spec.depth = family.equals("resnet") ? 18 : 2;
    spec.width = 16;
    spec.stem = "cifar";
    spec.patchSize = 4;
    spec.heads = 2;
    spec.mlpRatio = 2.0;
    spec.qkNorm = true;
    spec.projectionHiddenDim = projectionHiddenDim;
    spec.projectionDim = projectionDim;
    return spec;
  }
}
