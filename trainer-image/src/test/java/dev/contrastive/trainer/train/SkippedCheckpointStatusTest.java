package dev.contrastive.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.config.ConfigOverrides;
import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.RunFiles;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.api.status.ProgressStatus;
import dev.contrastive.trainer.device.Placement;
import dev.contrastive.trainer.dist.ProcessGroup;
import dev.contrastive.trainer.dist.WorkerEnvironment;
import dev.contrastive.trainer.report.StatusWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint that does not verify at resume is not passed over in silence: rank 0 resumes from
 * the one before it and says which one it skipped, and why, in {@code status.progress.message}
 * (what {@code kubectl get -o yaml} and the dashboards show) for the rest of the gang's life, and
 * once as a {@code CheckpointSkipped} Warning Event on the run ({@code kubectl describe}).
 */
class SkippedCheckpointStatusTest {

  @Test
  void aCorruptNewestCheckpointIsNamedInTheStatusAndTheOneBeforeItIsUsed(@TempDir Path dir) throws Exception {
    ContrastiveTrainingRunSpec spec = ConfigResolver.resolve(ConfigOverrides.apply(
        RunFiles.load(Path.of("src/test/resources/runs/tiny.yaml")).getSpec(),
        List.of("checkpoint.mountPath=" + dir)));
    train(spec, progress -> {});
    Path newest = dir.resolve("ckpt-e00002-s0000000004");
    byte[] params = Files.readAllBytes(newest.resolve("model.params"));
    // what a crash of an unsynced write leaves: a short parameter file
    Files.write(newest.resolve("model.params"), Arrays.copyOf(params, params.length / 3));
    List<ProgressStatus> written = new CopyOnWriteArrayList<>();
    List<String> warned = new CopyOnWriteArrayList<>();

    TrainingRun.Result result = train(spec, recording(written, warned));

    assertThat(written).isNotEmpty().allSatisfy(progress -> assertThat(progress.message)
        .startsWith("warning: skipping corrupt checkpoint ckpt-e00002-s0000000004: ")
        .contains("model.params", "using the one before it")
        .hasSizeLessThanOrEqualTo(ProgressStatus.MESSAGE_MAX_LENGTH));
    // resumed from epoch 1 and trained epoch 2 again, to the same parameters
    assertThat(written).last().satisfies(progress -> assertThat(progress.step).isEqualTo(4L));
    assertThat(warned).singleElement().satisfies(event -> assertThat(event)
        .startsWith("CheckpointSkipped: skipping corrupt checkpoint ckpt-e00002-s0000000004: ")
        .contains("model.params")
        .endsWith("; resumed from ckpt-e00001-s0000000002"));
    assertThat(result.lastCheckpoint()).isEqualTo(newest);
    assertThat(Files.readAllBytes(newest.resolve("model.params"))).isEqualTo(params);
  }

  @Test
  void aRunWithoutSkippedCheckpointsLeavesTheMessageAlone(@TempDir Path dir) {
    ContrastiveTrainingRunSpec spec = ConfigResolver.resolve(ConfigOverrides.apply(
        RunFiles.load(Path.of("src/test/resources/runs/tiny.yaml")).getSpec(),
        List.of("checkpoint.mountPath=" + dir, "trainer.maxEpochs=1")));
    List<ProgressStatus> written = new CopyOnWriteArrayList<>();
    List<String> warned = new CopyOnWriteArrayList<>();

    train(spec, recording(written, warned));

    assertThat(written).isNotEmpty().allSatisfy(progress -> assertThat(progress.message).isNull());
    assertThat(warned).isEmpty();
  }

  @Test
  void warningsOfManySkippedCheckpointsAreCutToTheMessagesLimit() {
    String warning = TrainingRun.startWarning(List.of("x".repeat(400), "y".repeat(400)));

    assertThat(warning).hasSize(ProgressStatus.MESSAGE_MAX_LENGTH).startsWith("warning: xxx");
  }

  /** A writer that keeps the progress written and each Warning Event as "reason: message". */
  private static StatusWriter recording(List<ProgressStatus> written, List<String> warned) {
    return new StatusWriter() {
      @Override
      public void write(ProgressStatus progress) {
        written.add(progress);
      }

      @Override
      public void warn(String reason, String message) {
        warned.add(reason + ": " + message);
      }
    };
  }

  private static TrainingRun.Result train(ContrastiveTrainingRunSpec spec, StatusWriter status) {
    try (ProcessGroup single = ProcessGroup.create(WorkerEnvironment.single(), spec.distributed)) {
      return new TrainingRun(spec, single, Placement.cpu(), status, null, TrainingObserver.NONE).run(Integer.MAX_VALUE);
    }
  }
}
