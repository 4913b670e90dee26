package dev.contrastive.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.config.ConfigOverrides;
import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.RunFiles;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.device.Placement;
import dev.contrastive.trainer.dist.ProcessGroup;
import dev.contrastive.trainer.dist.WorkerEnvironment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a training run tells its observer (the metrics endpoint and the tracking backends listen). */
class TrainingRunObserverTest {

  @Test
  void observerSeesEveryStepEvaluationCheckpointAndTheEnd(@TempDir Path dir) {
    ContrastiveTrainingRunSpec spec = ConfigResolver.resolve(ConfigOverrides.apply(
        RunFiles.load(Path.of("src/test/resources/runs/tiny.yaml")).getSpec(),
        List.of("checkpoint.mountPath=" + dir, "trainer.statusIntervalSeconds=3600", "optimizer.lrScaling=sqrt")));
    List<String> events = new ArrayList<>();
    List<StepStats> steps = new ArrayList<>();
    List<Float> rates = new ArrayList<>();
    List<Neighbours> sheets = new ArrayList<>();
    TrainingObserver recorder = new TrainingObserver() {
      @Override
      public int contactSheetQueries() {
        return 3;
      }

      @Override
      public void started(long totalSteps, int totalEpochs, TrainingState from, Path lastCheckpoint) {
        events.add("started " + totalSteps + " " + totalEpochs + " " + from.step() + " " + lastCheckpoint);
      }

      @Override
      public void stepped(int epoch, long step, float loss, float lr, int images, StepStats stats) {
        events.add("step " + epoch + "/" + step + " images " + images);
        steps.add(stats);
        rates.add(lr);
      }

      @Override
      public void logged(int epoch, long step, double loss, double imagesPerSecond, float lr) {
        events.add("logged " + step);
      }

      @Override
      public void evaluated(int epoch, long step, double knnTop1, Neighbours neighbours) {
        events.add("evaluated " + step);
        sheets.add(neighbours);
      }

      @Override
      public void checkpointed(long step, Path checkpoint) {
        events.add("checkpoint " + checkpoint.getFileName());
      }

      @Override
      public void epochEnded(int epoch, long step, double loss, double imagesPerSecond) {
        events.add("epoch " + epoch);
      }

      @Override
      public void finished(TrainingRun.Result result, boolean complete, Path exportedModel) {
        events.add("finished " + complete + " " + exportedModel.getFileName());
      }
    };

    try (ProcessGroup single = ProcessGroup.create(WorkerEnvironment.single(), spec.distributed)) {
      new TrainingRun(spec, single, Placement.cpu(), progress -> { }, null, recorder).run(Integer.MAX_VALUE);
    }

    // checkpoints are written in the background: each is reported once it is on the volume, after
    // the evaluation of its epoch, and the last one before the run's end
    assertThat(events.stream().filter(e -> !e.startsWith("checkpoint ")).toList()).containsExactly(
        "started 4 2 0 null",
        "step 0/1 images 8", "logged 1", "step 0/2 images 8", "logged 2",
        "evaluated 2", "epoch 0",
        "step 1/3 images 8", "logged 3", "step 1/4 images 8", "logged 4",
        "evaluated 4", "epoch 1",
        "finished true encoder.safetensors");
    assertThat(events.stream().filter(e -> e.startsWith("checkpoint ")).toList())
        .containsExactly("checkpoint ckpt-e00001-s0000000002", "checkpoint ckpt-e00002-s0000000004");
    assertThat(events.indexOf("checkpoint ckpt-e00001-s0000000002")).isGreaterThan(events.indexOf("evaluated 2"));
    assertThat(events.indexOf("checkpoint ckpt-e00002-s0000000004"))
        .isGreaterThan(events.indexOf("evaluated 4")).isLessThan(events.indexOf("epoch 1"));
    // cosine without warm-up starts at the peak: lr 0.05 scaled to the global batch, sqrt(8/256)
    assertThat(rates.get(0)).isCloseTo((float) (0.05 * Math.sqrt(8 / 256.0)), org.assertj.core.api.Assertions.within(1e-7f));
    assertThat(steps).allSatisfy(s -> {
      assertThat(s.forwardBackwardNanos()).isPositive();
      assertThat(s.optimizerNanos()).isPositive();
      assertThat(s.dataWaitNanos()).isNotNegative();
      assertThat(s.allReducedBytes()).isZero(); // one process: nothing to average
    });
    // three held-out queries spread over the 32 test images, each with its 6 nearest training images
    Neighbours sheet = sheets.get(0);
    assertThat(sheet.queries()).containsExactly(0, 10, 21);
    for (int r = 0; r < 3; r++) {
      assertThat(sheet.nearest()[r]).hasSize(KnnEvaluation.SHEET_NEIGHBOURS).doesNotHaveDuplicates();
      assertThat(java.util.Arrays.stream(sheet.nearest()[r]).boxed().toList())
          .allSatisfy(i -> assertThat(i).isBetween(0, 63));
      float[] scores = sheet.scores()[r];
      for (int j = 1; j < scores.length; j++) {
        assertThat(scores[j]).isLessThanOrEqualTo(scores[j - 1]);
      }
      assertThat(scores[0]).isLessThanOrEqualTo(1.0001f);
    }
  }
}
