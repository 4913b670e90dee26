package dev.contrastive.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads CIFAR-10 in its binary format: a folder of {@code *.bin} files whose records are 1 label
 * byte (0-9) and 3072 pixel bytes (red, green, blue planes of 32x32). Files with {@code test} in
 * their name form the held-out split ({@code test_batch.bin}), all others the training split
 * ({@code data_batch_1.bin} ...), each in file-name order. Class names come from {@code
 * batches.meta.txt} when present.
 */
public final class Cifar10Reader {

  public static final int IMAGE_SIZE = 32;
  public static final int NUM_CLASSES = 10;
  private static final int PIXEL_BYTES = LabelledImages.CHANNELS * IMAGE_SIZE * IMAGE_SIZE;
  private static final int RECORD_BYTES = 1 + PIXEL_BYTES;

  private Cifar10Reader() {}

  /**
   * Loads both splits into memory.
   *
   * @throws DataException naming the folder or file when the folder is missing, a split has no
   *     files, a file's size is not a whole number of records or a label is out of range
   */
  public static DatasetSplits read(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new DataException(
          "dataset.source " + folder + ": folder not found (expected CIFAR-10 binary *.bin files)");
    }
    List<Path> train = new ArrayList<>();
    List<Path> test = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      files
          .filter(f -> f.getFileName().toString().endsWith(".bin") && Files.isRegularFile(f))
          .sorted()
          .forEach(f -> (f.getFileName().toString().contains("test") ? test : train).add(f));
    } catch (IOException e) {
      throw new DataException(
          "dataset.source " + folder + ": cannot list folder: " + e.getMessage(), e);
    }
    if (train.isEmpty()) {
      throw new DataException(
          "dataset.source " + folder
              + ": no training files (expected *.bin files without 'test' in the name, e.g. data_batch_1.bin)");
    }
    if (test.isEmpty()) {
      throw new DataException(
          "dataset.source " + folder
              + ": no held-out files (expected a *.bin file with 'test' in the name, e.g. test_batch.bin)");
    }
    LabelledImages trainImages = readFiles(train);
    return new DatasetSplits(
        trainImages, readFiles(test), classNames(folder), ChannelStats.measure(trainImages));
  }

  private static LabelledImages readFiles(List<Path> files) {
    List<byte[]> contents = new ArrayList<>();
    long records = 0;
    for (Path file : files) {
      byte[] bytes = readFile(file);
      if (bytes.length == 0 || bytes.length % RECORD_BYTES != 0) {
        throw new DataException(
            file + ": " + bytes.length + " bytes is not a positive multiple of " + RECORD_BYTES
                + " (CIFAR-10 record: 1 label byte + 3072 pixel bytes)");
      }
      contents.add(bytes);
      records += bytes.length / RECORD_BYTES;
    }
    if (records * PIXEL_BYTES > Integer.MAX_VALUE) {
      throw new DataException(
          files.get(0).getParent() + ": more than " + Integer.MAX_VALUE / PIXEL_BYTES
              + " images in one split");
    }
    byte[] pixels = new byte[(int) records * PIXEL_BYTES];
    int[] labels = new int[(int) records];
    int image = 0;
    for (int f = 0; f < files.size(); f++) {
      byte[] bytes = contents.get(f);
      for (int r = 0; r < bytes.length / RECORD_BYTES; r++, image++) {
        int label = bytes[r * RECORD_BYTES] & 0xFF;
        if (label >= NUM_CLASSES) {
          throw new DataException(
              files.get(f) + ": record " + r + " has label " + label + ", expected 0-9");
        }
        labels[image] = label;
        System.arraycopy(bytes, r * RECORD_BYTES + 1, pixels, image * PIXEL_BYTES, PIXEL_BYTES);
      }
    }
    return new InMemoryImages(pixels, labels, IMAGE_SIZE);
  }

  private static byte[] readFile(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new DataException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static List<String> classNames(Path folder) {
    Path meta = folder.resolve("batches.meta.txt");
    if (Files.isRegularFile(meta)) {
      try {
        List<String> names =
            Files.readAllLines(meta).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (names.size() != NUM_CLASSES) {
          throw new DataException(meta + ": " + names.size() + " class names, expected 10 (one a line)");
        }
        return names;
      } catch (IOException e) {
        throw new DataException(meta + ": cannot read: " + e.getMessage(), e);
      }
    }
    List<String> names = new ArrayList<>();
    for (int c = 0; c < NUM_CLASSES; c++) {
      names.add(Integer.toString(c));
    }
    return names;
  }
}
