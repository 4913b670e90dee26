package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --nproc 2}: two worker processes train together and rank 0 writes checkpoints. */
class DistributedTrainTest {

  @Test
  void twoLocalWorkersTrainAndRankZeroCheckpoints(@TempDir Path dir) throws IOException {
    Path checkpoints = dir.resolve("ckpt");

    CliRun run = CliRun.run("train", "--nproc", "2", "-f", CliRun.TINY.toString(),
        "checkpoint.mountPath=" + checkpoints, "trainer.maxEpochs=1");

    assertThat(run.exitCode()).as(run.out()).isZero();
    assertThat(run.out()).contains("[rank 0] ").contains("[rank 1] ").contains("rank 1 of 2");
    try (Stream<Path> written = Files.list(checkpoints)) {
      assertThat(written.map(p -> p.getFileName().toString())).containsExactly("ckpt-e00001-s0000000002");
    }
  }
}
