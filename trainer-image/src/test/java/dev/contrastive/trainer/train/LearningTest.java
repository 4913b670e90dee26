package dev.contrastive.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.contrastive.api.config.ConfigOverrides;
import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.RunFiles;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.data.CifarSlice;
import dev.contrastive.trainer.data.DatasetSplits;
import dev.contrastive.trainer.data.Datasets;
import dev.contrastive.trainer.dist.ProcessGroup;
import dev.contrastive.trainer.dist.WorkerEnvironment;
import dev.contrastive.trainer.eval.RawPixelFeatures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The claim of the whole project, small: a few epochs of SimCLR on the CIFAR-10 slice give an
 * encoder whose kNN top-1 on the 500 test images beats both the same encoder untrained and raw
 * pixels, and the loss falls on the way.
 */
@Tag("slow")
class LearningTest {

  @Test
  void trainedEncoderBeatsUntrainedEncoderAndRawPixels(@TempDir Path checkpoints) throws IOException {
    ContrastiveTrainingRunSpec spec = spec(checkpoints);
    DatasetSplits splits = Datasets.open(spec.dataset, spec.trainer.seed);
    KnnEvaluation knn = new KnnEvaluation(splits, spec.evaluation, 1);
    double rawPixels;
    double untrained;
    try (NDManager manager = NDManager.newBaseManager()) {
      try (NDArray train = RawPixelFeatures.of(manager, splits.train());
          NDArray test = RawPixelFeatures.of(manager, splits.heldOut())) {
        rawPixels = knn.top1(train, test);
      }
      EncoderFeatures features = new EncoderFeatures(
          SimClrNetwork.create(spec, manager).encoder(), spec.dataset.imageSize, splits.stats());
      untrained = knn.top1(features, manager);
    }
    List<Double> epochLosses = new ArrayList<>();
    TrainingRun.Result result;
    try (ProcessGroup single = ProcessGroup.create(WorkerEnvironment.single(), spec.distributed)) {
      result = new TrainingRun(spec, single, progress -> epochLosses.add(progress.loss), null)
          .run(Integer.MAX_VALUE);
    }
    System.out.printf("kNN top-1: raw pixels %.3f, untrained %.3f, trained %.3f; epoch losses %s%n",
        rawPixels, untrained, result.knnTop1(), epochLosses);

    assertThat(epochLosses.get(epochLosses.size() - 1)).isLessThan(epochLosses.get(0));
    assertThat(result.knnTop1()).isGreaterThan(untrained).isGreaterThan(rawPixels);
  }

  private static ContrastiveTrainingRunSpec spec(Path checkpoints) throws IOException {
    try (InputStream in = LearningTest.class.getResourceAsStream("/runs/learn-cifar.yaml")) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      ContrastiveTrainingRunSpec spec = ConfigOverrides.apply(RunFiles.parse(yaml, "learn-cifar.yaml").getSpec(),
          List.of("dataset.source=" + CifarSlice.dir(),
              "checkpoint.mountPath=" + checkpoints));
      return ConfigResolver.resolve(spec);
    }
  }
}
