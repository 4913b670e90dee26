package dev.contrastive.trainer.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.data.DataException;
import dev.contrastive.trainer.train.TrainedEncoder;
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

/** The k images of a folder most similar to a query image, by cosine of encoder features. */
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

  @Override
  public Integer call() {
    if (k < 1) {
      throw new UserInputException("-k: " + k + " is not allowed; use 1 or more");
    }
    if (!Files.isRegularFile(query)) {
      throw new DataException(query + ": no such image file");
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
    return ExitCodes.OK;
  }
}
