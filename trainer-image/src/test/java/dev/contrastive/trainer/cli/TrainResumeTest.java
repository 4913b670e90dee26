package dev.contrastive.trainer.cli;

import static dev.contrastive.trainer.cli.CliRun.newestTinyCheckpoint;
import static dev.contrastive.trainer.cli.CliRun.trainTiny;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run stopped after k steps and resumed ends exactly where a straight run of 2k steps ends, also
 * when its newest checkpoint is broken and the one before it is used.
 */
class TrainResumeTest {

  @Test
  void resumedRunIsBitIdenticalToStraightRun(@TempDir Path dir) throws IOException {
    Path straight = dir.resolve("straight");
    Path resumed = dir.resolve("resumed");

    CliRun full = trainTiny(straight);
    CliRun firstHalf = trainTiny(resumed, "--stop-after-epochs=1");
    CliRun secondHalf = trainTiny(resumed);

    assertThat(full.exitCode()).isZero();
    assertThat(firstHalf.exitCode()).isZero();
    assertThat(secondHalf.exitCode()).isZero();
    Path straightEnd = newestTinyCheckpoint(straight);
    Path resumedEnd = newestTinyCheckpoint(resumed);
    assertThat(resumedEnd.getFileName()).isEqualTo(straightEnd.getFileName());
    // every parameter (BatchNorm statistics included) and every optimizer slot, bit for bit
    assertThat(Files.readAllBytes(resumedEnd.resolve("model.params")))
        .isEqualTo(Files.readAllBytes(straightEnd.resolve("model.params")));
    assertThat(Files.readAllBytes(resumedEnd.resolve("optimizer.bin")))
        .isEqualTo(Files.readAllBytes(straightEnd.resolve("optimizer.bin")));
  }

  @Test
  void aTruncatedNewestCheckpointIsSkippedAndTheEpochTrainedAgainBitForBit(@TempDir Path dir) throws IOException {
    assertThat(trainTiny(dir, "--stop-after-epochs=1").exitCode()).isZero();
    assertThat(trainTiny(dir).exitCode()).isZero();
    Path newest = newestTinyCheckpoint(dir);
    byte[] good = Files.readAllBytes(newest.resolve("model.params"));
    // what a crash of an unsynced write (or a full disk) leaves: a short parameter file
    Files.write(newest.resolve("model.params"), Arrays.copyOf(good, good.length / 3));

    CliRun again = trainTiny(dir);

    assertThat(again.exitCode()).as(again.err()).isZero();
    // resumed from epoch 1 (not finished at once from the broken epoch-2 checkpoint) and trained it again
    assertThat(again.out()).containsPattern("finished: epoch 2 step 4 loss [0-9]");
    assertThat(Files.readAllBytes(newestTinyCheckpoint(dir).resolve("model.params"))).isEqualTo(good);
  }
}
