package dev.contrastive.trainer.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.train.TrainedEncoder;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Writes the embeddings of a folder of images as CSV: a header {@code file,f0,f1,...}, then one
 * row per image with its path relative to the folder and its L2-normalised encoder features.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
    description = "Write L2-normalised encoder features of every image in a folder to a CSV file "
        + "(header file,f0,f1,...; one row per image, path relative to the folder).")
final class EmbedCommand implements Callable<Integer> {

  @ParentCommand TrainerCli root;
  @Mixin RunFileOptions run;

  @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
      description = "A checkpoint folder, or a folder of checkpoints (the newest is used).")
  Path checkpoint;

  @Option(names = "--images", required = true, paramLabel = "FOLDER",
      description = "Folder of .jpg/.png images (searched recursively).")
  Path images;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "CSV file to write.")
  Path out;

  @Override
  public Integer call() {
    ContrastiveTrainingRunSpec spec = run.resolve(root.env).getSpec();
    List<Path> files = TrainedEncoder.imageFiles(images);
    int dim;
    try (NDManager manager = NDManager.newBaseManager();
        NDArray embeddings = TrainedEncoder.load(spec, checkpoint, manager).embed(files, manager)) {
      dim = Math.toIntExact(embeddings.getShape().get(1));
      write(files, embeddings.toFloatArray(), dim);
    }
    root.out.println("wrote " + files.size() + " embeddings of dimension " + dim + " to " + out);
    return ExitCodes.OK;
  }

  private void write(List<Path> files, float[] features, int dim) {
    try (BufferedWriter writer = Files.newBufferedWriter(out)) {
      writer.write("file");
      for (int d = 0; d < dim; d++) {
        writer.write(",f" + d);
      }
      writer.newLine();
      for (int i = 0; i < files.size(); i++) {
        writer.write(csvField(images.relativize(files.get(i)).toString()));
        for (int d = 0; d < dim; d++) {
          writer.write(',');
          writer.write(Float.toString(features[i * dim + d]));
        }
        writer.newLine();
      }
    } catch (IOException e) {
      throw new UserInputException(out + ": cannot write embeddings: " + e.getMessage(), e);
    }
  }

  private static String csvField(String value) {
    return value.contains(",") || value.contains("\"")
        ? '"' + value.replace("\"", "\"\"") + '"'
        : value;
  }
}
