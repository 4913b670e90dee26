package dev.contrastive.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.api.spec.DatasetSpec;
import org.junit.jupiter.api.Test;

class DatasetsTest {

  @Test
  void limitsKeepAnEvenlySpacedSubset() {
    DatasetSpec spec = new DatasetSpec();
    spec.type = "cifar10";
    spec.source = CifarSlice.dir().toString();
    spec.maxTrainImages = 500;
    spec.maxTestImages = 100;

    DatasetSplits splits = Datasets.open(spec, 1);

    assertThat(splits.train().size()).isEqualTo(500);
    assertThat(splits.heldOut().size()).isEqualTo(100);
    DatasetSplits all = Cifar10Reader.read(CifarSlice.dir());
    assertThat(splits.heldOut().label(1)).isEqualTo(all.heldOut().label(5));
  }

  @Test
  void syntheticSetSizesComeFromTheLimits() {
    DatasetSpec spec = new DatasetSpec();
    spec.numClasses = 3;
    spec.imageSize = 8;
    spec.maxTrainImages = 30;

    DatasetSplits splits = Datasets.open(spec, 1);

    assertThat(splits.train().size()).isEqualTo(30);
    assertThat(splits.heldOut().size()).isEqualTo(Datasets.SYNTHETIC_HELD_OUT_IMAGES);
    assertThat(splits.numClasses()).isEqualTo(3);
  }

  @Test
  void namesAMissingSetting() {
    DatasetSpec spec = new DatasetSpec();
    spec.numClasses = 3;
    assertThatThrownBy(() -> Datasets.open(spec, 1))
        .isInstanceOf(DataException.class)
        .hasMessage("dataset.imageSize is required for dataset.type synthetic");
  }
}
