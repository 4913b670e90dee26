package dev.contrastive.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.contrastive.api.encoder.ResNetStem;
import org.junit.jupiter.api.Test;

class ResNetEncoderTest {

  @Test
  void resnet18EncoderHasTheStandardParameterCount() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ResNetEncoder encoder = new ResNetEncoder(18, 64, ResNetStem.CIFAR);
      encoder.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
      // torchvision resnet18 (11,689,512) less its fc (513,000), 7x7 stem (9,408) swapped for 3x3
      // (1,728)
      assertThat(ParameterCount.trainable(encoder)).isEqualTo(11_168_832L);
      assertThat(encoder.featureDim()).isEqualTo(512);
    }
  }

  @Test
  void resnet101And152HaveTheParameterCountsOfTorchvisionsStages() {
    // torchvision's resnet101/152 rebuilt at width 16 with its own _make_layer (resnet_encoder in
    // docs/export/contrastive_encoders.py), CIFAR stem, no fc: right only with [3, 4, 23, 3] and
    // [3, 8, 36, 3] bottleneck units (at width 64 the same rule gives torchvision's 44.5 M and 60.2 M
    // less fc and 7x7 stem)
    for (var expected : java.util.Map.of(101, 2_675_856L, 152, 3_662_224L).entrySet()) {
      try (NDManager manager = NDManager.newBaseManager()) {
        ResNetEncoder encoder = new ResNetEncoder(expected.getKey(), 16, ResNetStem.CIFAR);
        encoder.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
        assertThat(ParameterCount.trainable(encoder)).as("ResNet-%d", expected.getKey())
            .isEqualTo(expected.getValue());
        assertThat(encoder.featureDim()).isEqualTo(512);
      }
    }
  }

  @Test
  void resnet50ImagenetStemGivesBottleneckFeatures() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ResNetEncoder encoder = new ResNetEncoder(50, 16, ResNetStem.IMAGENET);
      NDArray images = manager.randomUniform(0, 1, new Shape(2, 3, 64, 64));
      encoder.initialize(manager, DataType.FLOAT32, images.getShape());
      NDList out = encoder.forward(new ParameterStore(manager, false), new NDList(images), false);
      assertThat(out.singletonOrThrow().getShape()).isEqualTo(new Shape(2, 512));
      assertThat(encoder.featureDim()).isEqualTo(512);
    }
  }

  @Test
  void resnet34CifarStemOutputsOneFeatureVectorPerImage() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ResNetEncoder encoder = new ResNetEncoder(34, 16, ResNetStem.CIFAR);
      NDArray images = manager.randomUniform(0, 1, new Shape(2, 3, 16, 16));
      encoder.initialize(manager, DataType.FLOAT32, images.getShape());
      NDList out = encoder.forward(new ParameterStore(manager, false), new NDList(images), true);
      assertThat(out.singletonOrThrow().getShape()).isEqualTo(new Shape(2, 128));
      assertThat(encoder.getOutputShapes(new Shape[] {images.getShape()})[0])
          .isEqualTo(new Shape(2, 128));
    }
  }

  @Test
  void refusesAWidthThatIsNeither16NorAMultipleOf32() {
    for (int width : new int[] {8, 24, 48, 80}) {
      assertThatThrownBy(() -> new ResNetEncoder(18, width, ResNetStem.CIFAR))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("architecture.width=" + width + " is neither 16 nor a multiple of 32");
    }
  }
}
