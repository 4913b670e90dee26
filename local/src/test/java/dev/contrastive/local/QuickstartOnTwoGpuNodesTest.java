package dev.contrastive.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code contrastive local examples/quickstart.yaml} with {@code gpusPerNode: 2} and no other flag:
 * the simulated nodes advertise the two GPUs the run asks for, each pod starts one process per GPU,
 * and the run trains as 4 ranks to Succeeded. Shrunk to a few steps so it stays quick.
 */
@Tag("slow")
class QuickstartOnTwoGpuNodesTest {

  @Test
  void quickstartWithTwoGpusPerNodeTrainsAsFourRanksOnTwoSimulatedNodes(@TempDir Path dir) throws Exception {
    Path repoRoot = Path.of(System.getProperty("repo.root", ".."));
    String quickstart = Files.readString(repoRoot.resolve("examples/quickstart.yaml"));
    String run = set(quickstart, "gpusPerNode", "1", "2");
    run = set(run, "maxEpochs", "3", "1");
    run = set(run, "maxStepsPerEpoch", "8", "2");
    run = set(run, "batchSizePerWorker", "32", "8");
    run = set(run, "maxTrainImages", "1024", "128");
    run = set(run, "maxTestImages", "256", "32");
    run = set(run, "knnK", "20", "5");
    Path runFile = Files.writeString(dir.resolve("quickstart-2gpus.yaml"), run);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    int exit = new CommandLine(new LocalMain(new PrintStream(printed, true, StandardCharsets.UTF_8)))
        .execute(runFile.toString(), "--api-server", "real", "--repo-root", repoRoot.toString(),
            "--work-dir", dir.resolve("work").toString());

    String out = printed.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(out).isZero();
    assertThat(out).contains("nodes: 2 simulated GPU nodes of 2 GPUs")
        .containsPattern("(?m)^quickstart +Running +2/2 +4 ")
        .contains("phase: Succeeded")
        .contains("workers: 2 pods, world size 4 (training processes)");
    // the second pod's launcher ran global ranks 2 and 3, each told it is one of 4
    String podLogs;
    try (var logs = Files.walk(dir.resolve("work"))) {
      podLogs = logs.filter(p -> p.getFileName().toString().endsWith(".log"))
          .map(QuickstartOnTwoGpuNodesTest::read).reduce("", String::concat);
    }
    assertThat(podLogs).contains("[rank 2] ").contains("[rank 3] ").contains("rank 3 of 4");
  }

  /** The quickstart with {@code key: from} changed to {@code key: to}; fails if it has no such line. */
  private static String set(String yaml, String key, String from, String to) {
    String line = key + ": " + from + "\n";
    assertThat(yaml).as("examples/quickstart.yaml has '%s'", line.trim()).contains(line);
    return yaml.replace(line, key + ": " + to + "\n");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
