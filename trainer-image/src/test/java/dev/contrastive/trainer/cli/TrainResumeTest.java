package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped after k steps and resumed ends exactly where a straight run of 2k steps ends. */
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
