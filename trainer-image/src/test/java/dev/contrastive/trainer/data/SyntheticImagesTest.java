package dev.contrastive.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticImagesTest {

  @Test
  void sameSeedGivesSameImages() {
    assertThat(pixels(SyntheticImages.generate(4, 8, 4, 16, 7).train()))
        .isEqualTo(pixels(SyntheticImages.generate(4, 8, 4, 16, 7).train()));
  }

  @Test
  void otherSeedGivesOtherImages() {
    assertThat(pixels(SyntheticImages.generate(4, 8, 4, 16, 7).train()))
        .isNotEqualTo(pixels(SyntheticImages.generate(4, 8, 4, 16, 8).train()));
  }

  @Test
  void imagesDoNotDependOnHowManyFollow() {
    byte[] few = pixels(SyntheticImages.generate(4, 4, 4, 16, 7).train());
    byte[] many = pixels(SyntheticImages.generate(4, 8, 4, 16, 7).train());
    assertThat(Arrays.copyOf(many, few.length)).isEqualTo(few);
  }

  @Test
  void labelsAreBalancedOverClasses() {
    LabelledImages train = SyntheticImages.generate(5, 50, 5, 8, 1).train();
    int[] counts = new int[5];
    for (int i = 0; i < train.size(); i++) {
      counts[train.label(i)]++;
    }
    assertThat(counts).containsOnly(10);
  }

  static byte[] pixels(LabelledImages images) {
    byte[] all = new byte[images.size() * images.bytesPerImage()];
    for (int i = 0; i < images.size(); i++) {
      images.readInto(i, all, i * images.bytesPerImage());
    }
    return all;
  }
}
