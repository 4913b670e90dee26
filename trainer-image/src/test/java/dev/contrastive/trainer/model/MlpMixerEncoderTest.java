package dev.contrastive.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class MlpMixerEncoderTest {

  @Test
  void mixerS16At224HasTheTimmParameterCountWithoutItsHead() {
    try (NDManager manager = NDManager.newBaseManager()) {
      MlpMixerEncoder encoder = new MlpMixerEncoder(224, 16, 512, 8, 4.0);
      encoder.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
      // timm mixer_s16_224: 18,528,264 less its 512x1000 classifier (513,000)
      assertThat(ParameterCount.trainable(encoder)).isEqualTo(18_015_264L);
    }
  }

  @Test
  void smallPatchMixerOutputsOneFeatureVectorPerImage() {
    try (NDManager manager = NDManager.newBaseManager()) {
      MlpMixerEncoder encoder = new MlpMixerEncoder(32, 4, 16, 2, 4.0);
      NDArray images = manager.randomUniform(0, 1, new Shape(3, 3, 32, 32));
      encoder.initialize(manager, DataType.FLOAT32, images.getShape());
      NDArray features =
          encoder.forward(new ParameterStore(manager, false), new NDList(images), false).head();
      assertThat(features.getShape()).isEqualTo(new Shape(3, 16));
      assertThat(encoder.featureDim()).isEqualTo(16);
    }
  }

  @Test
  void tokenMixingLetsOnePatchInfluenceEveryToken() {
    try (NDManager manager = NDManager.newBaseManager()) {
      MixerBlock block = new MixerBlock(4, 8, 4, 16);
      NDArray tokens = manager.randomNormal(new Shape(1, 4, 8));
      block.initialize(manager, DataType.FLOAT32, tokens.getShape());
      ParameterStore store = new ParameterStore(manager, false);
      NDArray before = block.forward(store, new NDList(tokens), false).head();
      NDArray changed = tokens.duplicate();
      changed.set(new NDIndex("0, 0, :"), manager.randomNormal(new Shape(8)));
      NDArray after = block.forward(store, new NDList(changed), false).head();
      // token 3 was not edited, yet its output moves: the token MLP mixed patch 0 into it
      NDArray untouchedDelta = after.get("0, 3, :").sub(before.get("0, 3, :")).abs().max();
      assertThat(untouchedDelta.getFloat()).isGreaterThan(1e-4f);
    }
  }
}
