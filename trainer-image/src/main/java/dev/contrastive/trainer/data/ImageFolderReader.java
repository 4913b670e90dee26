package dev.contrastive.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Finds the images of an ImageFolder data set: one sub-folder per class holding {@code .jpg},
 * {@code .jpeg} or {@code .png} files.
 *
 * <ul>
 *   <li>With {@code root/train/<class>/} and {@code root/val/<class>/} (or {@code root/test/}),
 *       those are the training and held-out splits; classes are the sorted folder names under
 *       {@code train}.
 *   <li>Otherwise {@code root/<class>/} holds everything and the split is deterministic: in each
 *       class, files sorted by name, every 10th file (positions 9, 19, ...) is held out.
 * </ul>
 *
 * Images are decoded lazily, when a batch needs them.
 */
public final class ImageFolderReader {

  /** In a single-folder layout, one file in this many is held out. */
  public static final int HELD_OUT_EVERY = 10;

  private ImageFolderReader() {}

  /**
   * Lists the files of both splits; decodes nothing yet.
   *
   * @throws DataException naming the folder when it is missing or a split has no images
   */
  public static DatasetSplits read(Path root, int imageSize) {
    if (!Files.isDirectory(root)) {
      throw new DataException(
          "dataset.source " + root + ": folder not found (expected class sub-folders of JPEG/PNG images)");
    }
    Path trainRoot = root.resolve("train");
    if (Files.isDirectory(trainRoot)) {
      Path heldOutRoot = Files.isDirectory(root.resolve("val")) ? root.resolve("val") : root.resolve("test");
      if (!Files.isDirectory(heldOutRoot)) {
        throw new DataException(
            "dataset.source " + root + ": has train/ but neither val/ nor test/ for the held-out split");
      }
      List<String> classes = classFolders(trainRoot);
      Split train = new Split();
      Split heldOut = new Split();
      for (int c = 0; c < classes.size(); c++) {
        train.addAll(imagesIn(trainRoot.resolve(classes.get(c))), c);
      }
      for (String name : classFolders(heldOutRoot)) {
        int c = classes.indexOf(name);
        if (c < 0) {
          throw new DataException(
              heldOutRoot.resolve(name) + ": class folder not present under " + trainRoot);
        }
        heldOut.addAll(imagesIn(heldOutRoot.resolve(name)), c);
      }
      return splits(trainRoot, train, heldOutRoot, heldOut, classes, imageSize);
    }
    List<String> classes = classFolders(root);
    Split train = new Split();
    Split heldOut = new Split();
    for (int c = 0; c < classes.size(); c++) {
      List<Path> files = imagesIn(root.resolve(classes.get(c)));
      for (int i = 0; i < files.size(); i++) {
        (i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 ? heldOut : train).add(files.get(i), c);
      }
    }
    return splits(root, train, root, heldOut, classes, imageSize);
  }

  private static DatasetSplits splits(
      Path trainRoot, Split train, Path heldOutRoot, Split heldOut, List<String> classes, int imageSize) {
    if (train.files.isEmpty()) {
      throw new DataException(trainRoot + ": no .jpg/.jpeg/.png images in its class folders");
    }
    if (heldOut.files.isEmpty()) {
      throw new DataException(
          heldOutRoot + ": no held-out images (need .jpg/.jpeg/.png files; a single-folder layout needs"
              + " at least " + HELD_OUT_EVERY + " images in some class)");
    }
    return new DatasetSplits(
        train.images(imageSize), heldOut.images(imageSize), classes, ChannelStats.IMAGENET);
  }

  private static List<String> classFolders(Path folder) {
    try (Stream<Path> entries = Files.list(folder)) {
      List<String> classes =
          entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
      if (classes.isEmpty()) {
        throw new DataException(folder + ": no class sub-folders (expected <class>/<image>.jpg)");
      }
      return classes;
    } catch (IOException e) {
      throw new DataException(folder + ": cannot list folder: " + e.getMessage(), e);
    }
  }

  private static List<Path> imagesIn(Path classFolder) {
    try (Stream<Path> entries = Files.list(classFolder)) {
      return entries.filter(ImageFolderReader::isImage).sorted().toList();
    } catch (IOException e) {
      throw new DataException(classFolder + ": cannot list folder: " + e.getMessage(), e);
    }
  }

  private static boolean isImage(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(file)
        && (name.endsWith(".jpg") || name.endsWith(".jpeg") || name.endsWith(".png"));
  }

  private static final class Split {
    final List<Path> files = new ArrayList<>();
    final List<Integer> labels = new ArrayList<>();

    void add(Path file, int label) {
      files.add(file);
      labels.add(label);
    }

    void addAll(List<Path> classFiles, int label) {
      classFiles.forEach(f -> add(f, label));
    }

    LabelledImages images(int imageSize) {
      return new ImageFolderImages(files, labels.stream().mapToInt(Integer::intValue).toArray(), imageSize);
    }
  }
}
