package dev.contrastive.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.config.ConfigOverrides;
import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.RunFiles;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.api.status.ProgressStatus;
import dev.contrastive.trainer.dist.ProcessGroup;
import dev.contrastive.trainer.dist.WorkerEnvironment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What rank 0 reports into the run's status as training goes on. */
class TrainingRunProgressTest {

  @Test
  void finalReportHoldsTheWholeRun(@TempDir Path dir) {
    ContrastiveTrainingRunSpec spec = ConfigResolver.resolve(ConfigOverrides.apply(
        RunFiles.load(Path.of("src/test/resources/runs/tiny.yaml")).getSpec(),
        List.of("checkpoint.mountPath=" + dir, "trainer.statusIntervalSeconds=3600")));
    List<String> reports = new ArrayList<>();
    ProgressStatus[] last = new ProgressStatus[1];

    try (ProcessGroup single = ProcessGroup.create(WorkerEnvironment.single(), spec.distributed)) {
      new TrainingRun(spec, single, progress -> {
        reports.add(progress.epoch + "/" + progress.step);
        last[0] = progress;
      }, null).run(Integer.MAX_VALUE);
    }

    // the first step's interval report, then one forced report per epoch end; reports go out on
    // a thread of their own, where a newer one replaces one not yet sent (latest wins)
    assertThat(reports).first().isEqualTo("1/1");
    assertThat(reports).last().isEqualTo("2/4");
    assertThat(List.of("1/1", "1/2", "2/3", "2/4")).containsSubsequence(reports);
    ProgressStatus end = last[0];
    assertThat(end.epoch).isEqualTo(end.totalEpochs).isEqualTo(2);
    assertThat(end.step).isEqualTo(end.totalSteps).isEqualTo(4);
    assertThat(end.loss).isFinite();
    assertThat(end.knnTop1).isBetween(0.0, 1.0);
    assertThat(end.imagesPerSecond).isPositive();
    assertThat(end.lastCheckpoint).isEqualTo(dir.resolve("ckpt-e00002-s0000000004").toString());
    assertThat(end.exportedModel).isEqualTo(dir.resolve("encoder.safetensors").toString());
    assertThat(dir.resolve("encoder.safetensors")).isNotEmptyFile();
    assertThat(end.updatedAt).isNotBlank();
  }
}
