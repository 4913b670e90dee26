package dev.contrastive.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.config.ConfigOverrides;
import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.RunFiles;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.device.Placement;
import dev.contrastive.trainer.dist.ProcessGroup;
import dev.contrastive.trainer.dist.WorkerEnvironment;
import dev.contrastive.trainer.report.StatusWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rank 0's checkpoint writes and status PATCHes never hold the training thread: with a volume and
 * an API server that both stall until training has reached the next epoch, training reaches it.
 * Were either write on the training thread, step 3 could not come before the write returned.
 */
class OffTrainingThreadWritesTest {

  @Test
  void aStalledVolumeAndAStalledApiServerDoNotStopTraining(@TempDir Path dir) {
    ContrastiveTrainingRunSpec spec = ConfigResolver.resolve(ConfigOverrides.apply(
        RunFiles.load(Path.of("src/test/resources/runs/tiny.yaml")).getSpec(),
        List.of("checkpoint.mountPath=" + dir, "trainer.statusIntervalSeconds=3600")));
    CountDownLatch stepThreeReached = new CountDownLatch(1);
    AtomicBoolean stalledTooLong = new AtomicBoolean();
    List<String> written = new CopyOnWriteArrayList<>();
    CheckpointVolume stalledVolume = new CheckpointVolume() {
      @Override
      public void writeFile(Path file, byte[] bytes) throws IOException {
        stallUntil(stepThreeReached, stalledTooLong);
        LOCAL.writeFile(file, bytes);
      }

      @Override
      public void syncFolder(Path folder) throws IOException {
        LOCAL.syncFolder(folder);
      }

      @Override
      public long usableBytes(Path folder) throws IOException {
        return LOCAL.usableBytes(folder);
      }
    };
    StatusWriter stalledApiServer = progress -> {
      stallUntil(stepThreeReached, stalledTooLong);
      written.add(progress.epoch + "/" + progress.step);
    };
    TrainingObserver observer = new TrainingObserver() {
      @Override
      public void stepped(int epoch, long step, float loss, float lr, int images, StepStats stats) {
        if (step == 3) {
          stepThreeReached.countDown();
        }
      }
    };

    TrainingRun.Result result;
    try (ProcessGroup single = ProcessGroup.create(WorkerEnvironment.single(), spec.distributed)) {
      result = new TrainingRun(spec, single, Placement.cpu(), stalledApiServer, null, observer)
          .withCheckpointVolume(stalledVolume)
          .run(Integer.MAX_VALUE);
    }

    assertThat(stalledTooLong).as("a write held the training thread until it gave up").isFalse();
    // both checkpoints arrived once the volume moved again, and the last status report went out
    assertThat(result.lastCheckpoint()).isEqualTo(dir.resolve("ckpt-e00002-s0000000004"));
    assertThat(new CheckpointStore(dir, 3).folders()).extracting(p -> p.getFileName().toString())
        .containsExactly("ckpt-e00001-s0000000002", "ckpt-e00002-s0000000004");
    assertThat(written).last().isEqualTo("2/4");
  }

  private static void stallUntil(CountDownLatch latch, AtomicBoolean stalledTooLong) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        stalledTooLong.set(true);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
