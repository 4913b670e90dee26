package dev.contrastive.trainer.data.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.api.spec.DatasetSpec;
import dev.contrastive.trainer.data.DataException;
import dev.contrastive.trainer.data.DatasetSplits;
import dev.contrastive.trainer.data.EpochShards;
import dev.contrastive.trainer.data.LabelledImages;
import dev.contrastive.trainer.data.ShardedImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hub data sets read from the Hugging Face cache (what HF_HUB_OFFLINE=1 trains from). */
class HubDatasetsTest {

  static final String REPO = "someone/shapes";
  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  static final List<String> CLASSES = List.of("circle", "square", "star");

  @TempDir Path cache;

  @Test
  void readsLabelsClassNamesAndPixelsOfBothSplits() {
    putTrainShards(3, 10);
    put("data/validation-00000-of-00001.parquet", rows(100, 6));

    DatasetSplits splits = HubDatasets.open(spec(), offline(), line -> { });

    assertThat(splits.classNames()).containsExactlyElementsOf(CLASSES);
    assertThat(splits.train().size()).isEqualTo(30);
    assertThat(((ShardedImages) splits.train()).shardBounds()).containsExactly(0, 10, 20, 30);
    assertThat(splits.heldOut().size()).isEqualTo(6);
    for (int i : new int[] {0, 9, 10, 29}) {
      assertThat(splits.train().label(i)).isEqualTo(i % 3);
      assertThat(red(splits.train(), i)).as("image %d", i).isEqualTo(value(i));
    }
    assertThat(red(splits.heldOut(), 5)).isEqualTo(value(105));
  }

  @Test
  void evaluationSplitIsValidationElseTest() {
    putTrainShards(1, 4);
    put("data/test-00000-of-00001.parquet", rows(50, 3));

    DatasetSplits splits = HubDatasets.open(spec(), offline(), line -> { });

    assertThat(splits.heldOut().size()).isEqualTo(3);
  }

  @Test
  void imagesOfAnotherSizeAreScaledAndCropped() throws IOException {
    byte[] wide = ParquetFiles.png(new byte[3 * 16 * 16], 0, 16);
    put("data/train-00000-of-00001.parquet", List.of(new ParquetFiles.Row(wide, 0)));
    put("data/test-00000-of-00001.parquet", List.of(new ParquetFiles.Row(ParquetFiles.solid(9, 4), 1)));

    DatasetSplits splits = HubDatasets.open(spec(), offline(), line -> { });

    byte[] pixels = new byte[splits.heldOut().bytesPerImage()];
    splits.heldOut().readInto(0, pixels, 0);
    assertThat(pixels[0] & 0xFF).isEqualTo(9);
    assertThat(pixels).hasSize(3 * 8 * 8);
  }

  @Test
  void aMissingSplitIsNamedWithTheSplitsFound() {
    putTrainShards(1, 4);
    put("data/test-00000-of-00001.parquet", rows(50, 3));
    DatasetSpec spec = spec();
    spec.trainSplit = "training";

    assertThatThrownBy(() -> HubDatasets.open(spec, offline(), line -> { }))
        .isInstanceOf(DataException.class)
        .hasMessage("dataset.trainSplit 'training': no Parquet files for it in someone/shapes@main"
            + " (splits found: test, train)");
  }

  @Test
  void noEvaluationSplitSaysToNameOne() {
    putTrainShards(1, 4);

    assertThatThrownBy(() -> HubDatasets.open(spec(), offline(), line -> { }))
        .isInstanceOf(DataException.class)
        .hasMessage("dataset.evalSplit: someone/shapes@main has neither a validation nor a test split"
            + " (splits found: train); name the held-out split in dataset.evalSplit");
  }

  @Test
  void aMissingColumnIsNamedWithTheColumnsFound() {
    putTrainShards(1, 4);
    put("data/test-00000-of-00001.parquet", rows(50, 3));
    DatasetSpec spec = spec();
    spec.imageColumn = "img";

    assertThatThrownBy(() -> HubDatasets.open(spec, offline(), line -> { }))
        .isInstanceOf(DataException.class)
        .hasMessageEndingWith("train-00000-of-00001.parquet: dataset.imageColumn 'img' is not a column;"
            + " columns: image, label");
  }

  @Test
  void otherColumnNamesAreRead() {
    ParquetFiles.write(snapshot().resolve("plain_text/train-00000-of-00001.parquet"), rows(0, 4), CLASSES, "img",
        "fine_label");
    ParquetFiles.write(snapshot().resolve("plain_text/test-00000-of-00001.parquet"), rows(0, 2), CLASSES, "img",
        "fine_label");
    writeRef("main");
    DatasetSpec spec = spec();
    spec.imageColumn = "img";
    spec.labelColumn = "fine_label";

    DatasetSplits splits = HubDatasets.open(spec, offline(), line -> { });

    assertThat(splits.train().label(2)).isEqualTo(2);
    assertThat(red(splits.train(), 3)).isEqualTo(value(3));
  }

  @Test
  void anUnlabelledEvaluationSplitIsRefused() {
    putTrainShards(1, 4);
    List<ParquetFiles.Row> unlabelled = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      unlabelled.add(new ParquetFiles.Row(ParquetFiles.solid(i, 8), -1));
    }
    put("data/test-00000-of-00001.parquet", unlabelled);

    assertThatThrownBy(() -> HubDatasets.open(spec(), offline(), line -> { }))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("test-00000-of-00001.parquet: dataset.evalSplit 'test' row 0 has label -1"
            + " (no label: the split is unlabelled; choose another split)");
  }

  @Test
  void theParquetConversionBranchIsUsedWhenTheRepositoryHasNoParquetFiles() throws IOException {
    Path converted = cache.resolve("datasets--someone--shapes/snapshots/" + COMMIT.replace('0', 'c'));
    ParquetFiles.write(converted.resolve("default/train/0000.parquet"), rows(0, 5), CLASSES);
    ParquetFiles.write(converted.resolve("default/test/0000.parquet"), rows(0, 2), CLASSES);
    Path ref = cache.resolve("datasets--someone--shapes/refs/refs/convert/parquet");
    Files.createDirectories(ref.getParent());
    Files.writeString(ref, COMMIT.replace('0', 'c'));

    DatasetSplits splits = HubDatasets.open(spec(), offline(), line -> { });

    assertThat(splits.train().size()).isEqualTo(5);
  }

  @Test
  void offlineWithoutTheDataSetInTheCacheSaysWhatToDo() {
    assertThatThrownBy(() -> HubDatasets.open(spec(), offline(), line -> { }))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("dataset.source someone/shapes@main is not in the Hugging Face cache at ")
        .hasMessageEndingWith("and HF_HUB_OFFLINE is set; run once with the Hub reachable, or fill the cache"
            + " with huggingface-cli download");
  }

  @Test
  void aWorkerHoldsAtMostTwoShuffleGroupsOfShards() {
    putTrainShards(8, 6);
    put("data/test-00000-of-00001.parquet", rows(50, 3));
    DatasetSpec spec = spec();
    spec.shuffleShards = 2;
    ParquetImages train = (ParquetImages) HubDatasets.open(spec, offline(), line -> { }).train();
    byte[] pixels = new byte[train.bytesPerImage()];

    train.readInto(0, pixels, 0);
    assertThat(train.shardsInMemory()).as("only the shard read from").isEqualTo(1);
    EpochShards epoch = EpochShards.of(train, 4, 0, 1, 3);
    int most = 0;
    for (int index : epoch.epoch(1)) {
      train.readInto(index, pixels, 0);
      assertThat(train.label(index)).isEqualTo(index % 3);
      most = Math.max(most, train.shardsInMemory());
    }
    assertThat(most).isEqualTo(4);
  }

  static int value(int row) {
    return (row * 37) % 256;
  }

  static List<ParquetFiles.Row> rows(int first, int count) {
    List<ParquetFiles.Row> rows = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      rows.add(new ParquetFiles.Row(ParquetFiles.solid(value(i), 8), i % 3));
    }
    return rows;
  }

  private void putTrainShards(int shards, int rowsEach) {
    for (int s = 0; s < shards; s++) {
      put(String.format("data/train-%05d-of-%05d.parquet", s, shards), rows(s * rowsEach, rowsEach));
    }
  }

  private void put(String path, List<ParquetFiles.Row> rows) {
    ParquetFiles.write(snapshot().resolve(path), rows, CLASSES);
    writeRef("main");
  }

  private Path snapshot() {
    return cache.resolve("datasets--someone--shapes/snapshots/" + COMMIT);
  }

  private void writeRef(String revision) {
    try {
      Path ref = cache.resolve("datasets--someone--shapes/refs/" + revision);
      Files.createDirectories(ref.getParent());
      Files.writeString(ref, COMMIT);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private HubSettings offline() {
    return new HubSettings("http://127.0.0.1:9", null, true, cache);
  }

  static DatasetSpec spec() {
    DatasetSpec spec = new DatasetSpec();
    spec.type = "huggingface";
    spec.source = REPO;
    spec.imageSize = 8;
    return spec;
  }

  private static int red(LabelledImages images, int index) {
    byte[] pixels = new byte[images.bytesPerImage()];
    images.readInto(index, pixels, 0);
    return pixels[0] & 0xFF;
  }
}
