package dev.contrastive.trainer.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.data.DataException;
import dev.contrastive.trainer.data.ImageFolderImages;
import dev.contrastive.trainer.data.LabelledImages;
import dev.contrastive.trainer.sheet.ContactSheet;
import dev.contrastive.trainer.sheet.NeighbourSheets;
import dev.contrastive.trainer.train.TrainedEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * The k images of a folder most similar to a query image, by cosine of encoder features; on
 * request also as a contact sheet.
 */
@Command(name = "similar", mixinStandardHelpOptions = true,
    description = "Print the k images of a folder most similar to a query image (cosine of encoder features).")
final class SimilarCommand implements Callable<Integer> {

  @ParentCommand TrainerCli root;
  @Mixin RunFileOptions run;

  @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
      description = "A checkpoint folder, or a folder of checkpoints (the newest is used).")
  Path checkpoint;

  @Option(names = "--query", required = true, paramLabel = "IMG", description = "The query image (.jpg/.png).")
  Path query;

  @Option(names = "--images", required = true, paramLabel = "FOLDER",
      description = "Folder of .jpg/.png images to search (recursively).")
  Path images;

  @Option(names = "-k", defaultValue = "5", paramLabel = "K", description = "How many to print (default 5).")
  int k;

  @Option(names = "--contact-sheet", paramLabel = "OUT.png",
      description = "Also write a PNG contact sheet: the query image, then the k nearest images with their scores.")
  Path contactSheet;

  @Override
  public Integer call() {
    if (k < 1) {
      throw new UserInputException("-k: " + k + " is not allowed; use 1 or more");
    }
    if (!Files.isRegularFile(query)) {
      throw new DataException(query + ": no such image file");
    }
    Path sheetFolder = contactSheet == null ? null : contactSheet.toAbsolutePath().getParent();
    if (sheetFolder != null && !Files.isDirectory(sheetFolder)) {
      throw new UserInputException("--contact-sheet " + contactSheet + ": folder " + sheetFolder + " does not exist");
    }
    ContrastiveTrainingRunSpec spec = run.resolve(root.env).getSpec();
    List<Path> candidates = TrainedEncoder.imageFiles(images);
    List<Path> all = new ArrayList<>(candidates);
    all.add(query);
    float[] scores;
    try (NDManager manager = NDManager.newBaseManager();
        NDArray embeddings = TrainedEncoder.load(spec, checkpoint, manager).embed(all, manager);
        NDArray found = embeddings.get("0:" + candidates.size());
        NDArray q = embeddings.get(candidates.size() + ":");
        NDArray cosine = found.matMul(q.transpose())) {
      scores = cosine.toFloatArray();
    }
    List<Integer> order = IntStream.range(0, candidates.size()).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparing(i -> i))
        .limit(k)
        .toList();
    for (int i : order) {
      root.out.println(String.format(Locale.ROOT, "%.4f %s", scores[i], candidates.get(i)));
    }
    if (contactSheet != null) {
      writeSheet(candidates, order, scores, spec.dataset.imageSize);
      root.out.println("contact sheet: " + contactSheet);
    }
    return ExitCodes.OK;
  }

  /** One row: the query, then the found images best first, read as the encoder reads them (centre-cropped). */
  private void writeSheet(List<Path> candidates, List<Integer> order, float[] scores, int imageSize) {
    List<Path> shown = new ArrayList<>(List.of(query));
    order.forEach(i -> shown.add(candidates.get(i)));
    int size = Math.max(ContactSheet.MIN_TILE, imageSize);
    LabelledImages pictures = new ImageFolderImages(shown, new int[shown.size()], size);
    List<ContactSheet.Tile> found = new ArrayList<>();
    for (int j = 0; j < order.size(); j++) {
      found.add(new ContactSheet.Tile(pixels(pictures, j + 1), size, NeighbourSheets.score(scores[order.get(j)]),
          ContactSheet.Frame.UNKNOWN));
    }
    ContactSheet.Row row = new ContactSheet.Row(new ContactSheet.Tile(pixels(pictures, 0), size, "", ContactSheet.Frame.QUERY),
        found);
    try {
      Files.write(contactSheet, ContactSheet.png(ContactSheet.draw(List.of(row))));
    } catch (IOException e) {
      throw new UserInputException("--contact-sheet " + contactSheet + ": cannot write: " + e.getMessage());
    }
  }

  private static byte[] pixels(LabelledImages images, int index) {
    byte[] chw = new byte[images.bytesPerImage()];
    images.readInto(index, chw, 0);
    return chw;
  }
}
