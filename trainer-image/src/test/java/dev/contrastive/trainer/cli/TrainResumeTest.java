package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
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

    CliRun full = train(straight);
    CliRun firstHalf = train(resumed, "--stop-after-epochs=1");
    CliRun secondHalf = train(resumed);

    assertThat(full.exitCode()).isZero();
    assertThat(firstHalf.exitCode()).isZero();
    assertThat(secondHalf.exitCode()).isZero();
    Path straightEnd = newest(straight);
    Path resumedEnd = newest(resumed);
    assertThat(resumedEnd.getFileName()).isEqualTo(straightEnd.getFileName());
    // every parameter (BatchNorm statistics included) and every optimizer slot, bit for bit
    assertThat(Files.readAllBytes(resumedEnd.resolve("model.params")))
        .isEqualTo(Files.readAllBytes(straightEnd.resolve("model.params")));
    assertThat(Files.readAllBytes(resumedEnd.resolve("optimizer.bin")))
        .isEqualTo(Files.readAllBytes(straightEnd.resolve("optimizer.bin")));
  }

  @Test
  void aTruncatedNewestCheckpointIsSkippedAndTheEpochTrainedAgainBitForBit(@TempDir Path dir) throws IOException {
    assertThat(train(dir, "--stop-after-epochs=1").exitCode()).isZero();
    assertThat(train(dir).exitCode()).isZero();
    Path newest = newest(dir);
    byte[] good = Files.readAllBytes(newest.resolve("model.params"));
    // what a crash of an unsynced write (or a full disk) leaves: a short parameter file
    Files.write(newest.resolve("model.params"), Arrays.copyOf(good, good.length / 3));

    CliRun again = train(dir);

    assertThat(again.exitCode()).as(again.err()).isZero();
    // resumed from epoch 1 (not finished at once from the broken epoch-2 checkpoint) and trained it again
    assertThat(again.out()).containsPattern("finished: epoch 2 step 4 loss [0-9]");
    assertThat(Files.readAllBytes(newest(dir).resolve("model.params"))).isEqualTo(good);
  }

  private static CliRun train(Path checkpoints, String... extra) {
    String[] args = Stream.concat(
        Stream.of("train", "-f", CliRun.TINY.toString(), "checkpoint.mountPath=" + checkpoints),
        Stream.of(extra)).toArray(String[]::new);
    return CliRun.run(args);
  }

  private static Path newest(Path checkpoints) throws IOException {
    try (Stream<Path> dirs = Files.list(CliRun.tinyFolder(checkpoints))) {
      return dirs.filter(p -> p.getFileName().toString().startsWith("ckpt-")).sorted()
          .reduce((a, b) -> b).orElseThrow();
    }
  }
}
