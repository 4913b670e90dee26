package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NaN or infinite loss stops the run at that step with one line naming it and exit code 2 (the
 * operator then fails the run with that line instead of restarting the gang into the same
 * divergence), and the last good checkpoint stays as it was.
 */
class NonFiniteLossTest {

  @Test
  void aDivergedRunStopsAtTheStepAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) throws IOException {
    CliRun good = CliRun.trainTiny(dir, "trainer.maxEpochs=1");
    assertThat(good.exitCode()).as(good.err()).isZero();
    Path checkpoint = only(dir);
    byte[] params = Files.readAllBytes(checkpoint.resolve("model.params"));

    // resumed from epoch 1 with a temperature so small that the similarities over it overflow
    CliRun diverged = CliRun.trainTiny(dir, "trainer.maxEpochs=2", "loss.temperature=1e-45");

    assertThat(diverged.exitCode()).as(diverged.out() + diverged.err()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(diverged.err().lines().filter(line -> line.startsWith("error: "))).singleElement().asString()
        .matches("error: loss is (NaN|Infinity|-Infinity) at step 3 \\(epoch 2\\): training stopped; the last good"
            + " checkpoint .*ckpt-e00001-s0000000002 is kept; lower optimizer.lr or raise loss.temperature");
    assertThat(only(dir)).isEqualTo(checkpoint);
    assertThat(Files.readAllBytes(checkpoint.resolve("model.params"))).isEqualTo(params);
  }

  private static Path only(Path checkpoints) throws IOException {
    try (Stream<Path> dirs = Files.list(CliRun.tinyFolder(checkpoints))) {
      List<Path> all = dirs.filter(p -> p.getFileName().toString().startsWith("ckpt-")).toList();
      assertThat(all).hasSize(1);
      return all.get(0);
    }
  }
}
