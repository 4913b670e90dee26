package dev.contrastive.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.contrastive.api.spec.ArchitectureSpec;
import dev.contrastive.trainer.loss.NtXentLoss;
import org.junit.jupiter.api.Test;

class SimClrModelTest {

  @Test
  void returnsEncoderFeaturesAndProjections() {
    try (NDManager manager = NDManager.newBaseManager()) {
      SimClrModel model = SimClrModel.create(TinyModels.tinyRunSpec(), 16);
      NDArray images = manager.randomUniform(0, 1, new Shape(4, 3, 16, 16));
      model.initialize(manager, DataType.FLOAT32, images.getShape());
      NDList out = model.forward(new ParameterStore(manager, false), new NDList(images), true);
      assertThat(out.get(0).getShape()).isEqualTo(new Shape(4, 128));
      assertThat(out.get(1).getShape()).isEqualTo(new Shape(4, 16));
      assertThat(model.encoder().featureDim()).isEqualTo(128);
    }
  }

  @Test
  void ntXentGradientsReachEveryTrainableParameter() {
    for (String family : new String[] {"resnet", "mixer", "parallel_vit"}) {
      ArchitectureSpec spec = TinyModels.of(family, 8, 4);
      try (NDManager manager = NDManager.newBaseManager()) {
        SimClrModel model = SimClrModel.create(spec, 8);
        model.initialize(manager, DataType.FLOAT32, new Shape(4, 3, 8, 8));
        try (NDManager step = manager.newSubManager();
            GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          NDArray images = step.randomUniform(0, 1, new Shape(4, 3, 8, 8));
          NDArray z = model.forward(new ParameterStore(step, false), new NDList(images), true).get(1);
          collector.backward(new NtXentLoss(0.5).compute(z.get("0:2"), z.get("2:4")));
        }
        for (Pair<String, Parameter> p : model.getParameters()) {
          if (p.getValue().requiresGradient()) {
            assertThat(p.getValue().getArray().getGradient().abs().sum().getFloat())
                .as(family + " " + p.getKey())
                .isGreaterThan(0f);
          }
        }
      }
    }
  }

  @Test
  void buildsEachFamilyFromItsSpec() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ArchitectureSpec mixer = new ArchitectureSpec();
      mixer.family = "mixer";
      mixer.depth = 1;
      mixer.width = 16;
      mixer.patchSize = 4;
      mixer.mlpRatio = 2.0;
      assertThat(Encoders.create(mixer, 16)).isInstanceOf(MlpMixerEncoder.class);

      ArchitectureSpec vit = new ArchitectureSpec();
      vit.family = "parallel_vit";
      vit.depth = 1;
      vit.width = 16;
      vit.heads = 2;
      vit.patchSize = 4;
      vit.mlpRatio = 2.0;
      vit.qkNorm = true;
      Encoder encoder = Encoders.create(vit, 16);
      encoder.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 16, 16));
      assertThat(encoder.getOutputShapes(new Shape[] {new Shape(1, 3, 16, 16)})[0])
          .isEqualTo(new Shape(1, 16));
    }
  }

  @Test
  void rejectsAPatchSizeThatDoesNotDivideTheImage() {
    ArchitectureSpec spec = new ArchitectureSpec();
    spec.family = "mixer";
    spec.depth = 8;
    spec.width = 512;
    spec.patchSize = 16;
    spec.mlpRatio = 4.0;
    assertThatThrownBy(() -> Encoders.create(spec, 40))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("architecture.patchSize=16 does not divide the image size 40");
  }

  @Test
  void rejectsAWidthNotDivisibleByTheHeads() {
    ArchitectureSpec spec = new ArchitectureSpec();
    spec.family = "parallel_vit";
    spec.depth = 12;
    spec.width = 384;
    spec.heads = 5;
    spec.patchSize = 4;
    spec.mlpRatio = 4.0;
    spec.qkNorm = true;
    assertThatThrownBy(() -> Encoders.create(spec, 32))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("architecture.width=384 is not divisible by architecture.heads=5");
  }

  @Test
  void namesTheFirstMissingField() {
    ArchitectureSpec spec = new ArchitectureSpec();
    spec.family = "resnet";
    spec.depth = 18;
    spec.width = 64;
    assertThatThrownBy(() -> Encoders.create(spec, 32))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("architecture.stem is not set");
  }

  @Test
  void rejectsAResNetDepthItCannotBuild() {
    ArchitectureSpec spec = new ArchitectureSpec();
    spec.family = "resnet";
    spec.depth = 20;
    spec.width = 64;
    spec.stem = "cifar";
    assertThatThrownBy(() -> Encoders.create(spec, 32))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("architecture.depth=20 is not a ResNet depth: use one of [18, 34, 50, 101, 152]");
  }
}
