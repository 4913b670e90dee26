package dev.contrastive.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class ParallelVitEncoderTest {

  @Test
  void vitS16At224HasAboutTwentyTwoMillionParameters() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ParallelVitEncoder encoder = new ParallelVitEncoder(224, 16, 384, 12, 6, 4.0, true);
      encoder.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
      // timm vit_small_patch16_224 (22,050,664) less classifier (385,000), CLS token and its
      // position (768), one of two LayerNorms per block (12 x 768), plus QK-norm (12 x 256)
      assertThat(ParameterCount.trainable(encoder)).isEqualTo(21_658_752L);
    }
  }

  @Test
  void tinyVitOutputsOneFeatureVectorPerImage() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ParallelVitEncoder encoder = new ParallelVitEncoder(32, 8, 24, 2, 3, 2.0, true);
      NDArray images = manager.randomUniform(0, 1, new Shape(2, 3, 32, 32));
      encoder.initialize(manager, DataType.FLOAT32, images.getShape());
      NDArray features =
          encoder.forward(new ParameterStore(manager, false), new NDList(images), true).head();
      assertThat(features.getShape()).isEqualTo(new Shape(2, 24));
    }
  }

  @Test
  void blockAddsAttentionAndMlpOfOneSharedNormToItsInput() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ParallelVitBlock block = new ParallelVitBlock(8, 2, 16, true);
      NDArray x = manager.randomNormal(new Shape(2, 5, 8));
      block.initialize(manager, DataType.FLOAT32, x.getShape());
      ParameterStore store = new ParameterStore(manager, false);
      Block norm = block.getChildren().get(0).getValue();
      Block attention = block.getChildren().get(1).getValue();
      Block mlp = block.getChildren().get(2).getValue();
      NDList normed = norm.forward(store, new NDList(x), false);
      NDArray expected =
          x.add(attention.forward(store, normed, false).head())
              .add(mlp.forward(store, normed, false).head());
      NDArray actual = block.forward(store, new NDList(x), false).head();
      assertThat(actual.allClose(expected, 1e-5, 1e-6, false)).isTrue();
    }
  }

  @Test
  void attentionTreatsTokensAsASetAndImagesIndependently() {
    try (NDManager manager = NDManager.newBaseManager()) {
      MultiHeadSelfAttention attention = new MultiHeadSelfAttention(8, 2, true);
      NDArray x = manager.randomNormal(new Shape(2, 4, 8));
      attention.initialize(manager, DataType.FLOAT32, x.getShape());
      ParameterStore store = new ParameterStore(manager, false);
      NDArray out = attention.forward(store, new NDList(x), false).head();

      NDArray order = manager.create(new int[] {2, 0, 3, 1});
      NDArray permuted = x.get(":, {}, :", order);
      NDArray outPermuted = attention.forward(store, new NDList(permuted), false).head();
      assertThat(outPermuted.allClose(out.get(":, {}, :", order), 1e-5, 1e-6, false)).isTrue();

      NDArray firstAlone = attention.forward(store, new NDList(x.get("0:1")), false).head();
      assertThat(firstAlone.allClose(out.get("0:1"), 1e-5, 1e-6, false)).isTrue();
    }
  }

  @Test
  void qkNormAddsOneLayerNormForQueriesAndOneForKeys() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Shape tokens = new Shape(1, 4, 8);
      MultiHeadSelfAttention withNorm = new MultiHeadSelfAttention(8, 2, true);
      MultiHeadSelfAttention without = new MultiHeadSelfAttention(8, 2, false);
      withNorm.initialize(manager, DataType.FLOAT32, tokens);
      without.initialize(manager, DataType.FLOAT32, tokens);
      // gamma and beta over the head dimension (8 / 2 = 4), for queries and for keys
      assertThat(ParameterCount.trainable(withNorm) - ParameterCount.trainable(without))
          .isEqualTo(2 * 2 * 4);
    }
  }
}
