package dev.contrastive.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10ReaderTest {

  @TempDir Path temp;

  @Test
  void readsTheSliceWithTestFilesAsHeldOutSplit() {
    DatasetSplits splits = Cifar10Reader.read(CifarSlice.dir());

    assertThat(splits.train().size()).isEqualTo(2000);
    assertThat(splits.heldOut().size()).isEqualTo(500);
    assertThat(splits.imageSize()).isEqualTo(32);
    assertThat(splits.classNames()).hasSize(10).startsWith("airplane");
    int[] firstTestLabels = new int[16];
    for (int i = 0; i < 16; i++) {
      firstTestLabels[i] = splits.heldOut().label(i);
    }
    assertThat(firstTestLabels).containsExactly(3, 8, 8, 0, 6, 6, 1, 6, 3, 1, 0, 9, 5, 7, 9, 8);
  }

  @Test
  void readsPixelsAsRedGreenBluePlanes() throws IOException {
    byte[] record = new byte[3073];
    record[0] = 7;
    record[1] = 11; // first red pixel
    record[1 + 1024] = 22; // first green pixel
    record[1 + 2048 + 1023] = (byte) 255; // last blue pixel
    Files.write(temp.resolve("data_batch_1.bin"), record);
    Files.write(temp.resolve("test_batch.bin"), record);

    LabelledImages train = Cifar10Reader.read(temp).train();
    byte[] pixels = new byte[train.bytesPerImage()];
    train.readInto(0, pixels, 0);

    assertThat(train.label(0)).isEqualTo(7);
    assertThat(pixels[0]).isEqualTo((byte) 11);
    assertThat(pixels[1024]).isEqualTo((byte) 22);
    assertThat(pixels[3071] & 0xFF).isEqualTo(255);
  }

  @Test
  void rejectsAMissingFolder() {
    Path missing = temp.resolve("nope");
    assertThatThrownBy(() -> Cifar10Reader.read(missing))
        .isInstanceOf(DataException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("folder not found");
  }

  @Test
  void rejectsAFileThatIsNotWholeRecords() throws IOException {
    Files.write(temp.resolve("data_batch_1.bin"), new byte[3072]);
    Files.write(temp.resolve("test_batch.bin"), new byte[3073]);
    assertThatThrownBy(() -> Cifar10Reader.read(temp))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("data_batch_1.bin")
        .hasMessageContaining("multiple of 3073");
  }

  @Test
  void rejectsALabelAboveNine() throws IOException {
    byte[] records = new byte[2 * 3073];
    records[3073] = 10;
    Files.write(temp.resolve("data_batch_1.bin"), records);
    Files.write(temp.resolve("test_batch.bin"), new byte[3073]);
    assertThatThrownBy(() -> Cifar10Reader.read(temp))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("data_batch_1.bin: record 1 has label 10, expected 0-9");
  }

  @Test
  void rejectsAFolderWithoutTrainingFiles() throws IOException {
    Files.write(temp.resolve("test_batch.bin"), new byte[3073]);
    assertThatThrownBy(() -> Cifar10Reader.read(temp))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("no training files");
  }
}
