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
        "checkpoint.mountPath=" + checkpoints, "trainer.maxEpochs=1",
        "optimizer.lrScaling=linear");

    assertThat(run.exitCode()).as(run.out()).isZero();
    assertThat(run.out()).contains("[rank 0] ").contains("[rank 1] ").contains("rank 1 of 2");
    // the learning rate follows the global batch of both workers
    assertThat(run.out())
        .containsPattern("\\[rank 0] .*global batch 16 \\(2 x 8\\), lr 0\\.05 x 16/256 \\(linear\\) = 0\\.003125");
    // every worker names its CPU and checks libtorch's gradients on it (the nodes may differ)
    assertThat(run.out()).containsPattern("\\[rank 0] cpu: .+; gradient self-check passed \\([0-9]+ ms\\)")
        .containsPattern("\\[rank 1] cpu: .+; gradient self-check passed");
    // the replicas are compared after the start-up broadcast and at the end of the epoch, BatchNorm
    // statistics included: they follow rank 0's after every step
    assertThat(run.out()).containsPattern("\\[rank 0] .*replica check after the start-up broadcast passed: ")
        .containsPattern("\\[rank 0] .*replica check at the end of epoch 1 \\(step 2\\) passed: [0-9]+ parameters"
            + " and [0-9]+ buffers identical on 2 ranks");
    // the evaluation's features are computed in slices by both ranks and assembled on each
    assertThat(knnTop1(run.out(), 0)).isNotEmpty().isEqualTo(knnTop1(run.out(), 1));
    try (Stream<Path> written = Files.list(CliRun.tinyFolder(checkpoints))) {
      // rank 0 alone checkpoints, and exports the encoder at the end of the run
      assertThat(written.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("ckpt-e00001-s0000000002", "encoder.safetensors");
    }
  }

  private static String knnTop1(String out, int rank) {
    return out.lines().filter(l -> l.startsWith("[rank " + rank + "] ") && l.contains("kNN top-1 "))
        .map(l -> l.substring(l.indexOf("kNN top-1 "))).findFirst().orElse("");
  }
}
