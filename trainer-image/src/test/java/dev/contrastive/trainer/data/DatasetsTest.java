package dev.contrastive.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.api.spec.DatasetSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void aMissingDataFolderIsNamedWithWhereToMountIt(@TempDir Path dir) {
    DatasetSpec spec = imageFolder(dir.resolve("imagenet"));

    assertThatThrownBy(() -> Datasets.checkSource(spec))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("dataset.source " + dir.resolve("imagenet") + ": no such folder")
        .hasMessageContaining("spec.template");
  }

  @Test
  void anEmptyDataFolderIsNamedToo(@TempDir Path dir) {
    DatasetSpec spec = imageFolder(dir);
    spec.type = "cifar10";

    assertThatThrownBy(() -> Datasets.open(spec, 1))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("dataset.source " + dir + ": the folder is empty");
  }

  @Test
  void aFileIsNotAFolder(@TempDir Path dir) throws IOException {
    DatasetSpec spec = imageFolder(Files.writeString(dir.resolve("train.tar"), "x"));

    assertThatThrownBy(() -> Datasets.checkSource(spec)).isInstanceOf(DataException.class)
        .hasMessageContaining("train.tar: not a folder");
  }

  @Test
  void syntheticDataNeedsNoFolder() {
    DatasetSpec spec = new DatasetSpec();
    spec.source = "/nowhere";

    assertThatCode(() -> Datasets.checkSource(spec)).doesNotThrowAnyException();
  }

  private static DatasetSpec imageFolder(Path source) {
    DatasetSpec spec = new DatasetSpec();
    spec.type = "imagefolder";
    spec.imageSize = 32;
    spec.source = source.toString();
    return spec;
  }
}
