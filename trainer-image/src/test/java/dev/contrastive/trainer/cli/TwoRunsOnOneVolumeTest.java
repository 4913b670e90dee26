package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two runs on one checkpoint volume (a shared claim, or a run deleted and created again under the
 * same name): neither resumes from nor prunes the other's checkpoints.
 */
class TwoRunsOnOneVolumeTest {

  @Test
  void eachRunResumesAndPrunesOnlyItsOwnFolder(@TempDir Path mount) throws IOException {
    Path first = mount.resolve("default/tiny/uid-first");
    Path second = mount.resolve("default/tiny/uid-second");

    CliRun firstRun = train("uid-first", mount, 2);
    assertThat(firstRun.out()).as(firstRun.err()).contains("finished: epoch 2 step 4 ");
    assertThat(names(first)).containsExactly("ckpt-e00002-s0000000004", "encoder.safetensors"); // keep 1

    // same name, other uid, one epoch: a fresh start (the first run's epoch-2 checkpoint would
    // have ended it at once), and pruning (keep 1) leaves the first run's newer checkpoint alone
    CliRun secondRun = train("uid-second", mount, 1);
    assertThat(secondRun.out()).as(secondRun.err()).containsPattern("finished: epoch 1 step 2 loss [0-9]");
    assertThat(names(second)).containsExactly("ckpt-e00001-s0000000002", "encoder.safetensors");
    assertThat(names(first)).containsExactly("ckpt-e00002-s0000000004", "encoder.safetensors");

    // the first run again resumes from its own epoch-2 checkpoint: nothing left to train
    CliRun firstAgain = train("uid-first", mount, 2);
    assertThat(firstAgain.out()).as(firstAgain.err())
        .contains("finished: epoch 2 step 4 loss NaN knnTop1 - checkpoint " + first.resolve("ckpt-e00002-s0000000004"));
  }

  private static CliRun train(String uid, Path mount, int epochs) {
    return CliRun.run(Map.of("RUN_UID", uid), "train", "-f", CliRun.TINY.toString(),
        "checkpoint.mountPath=" + mount, "trainer.keepCheckpoints=1", "trainer.maxEpochs=" + epochs, "metrics.port=0");
  }

  private static List<String> names(Path folder) throws IOException {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
