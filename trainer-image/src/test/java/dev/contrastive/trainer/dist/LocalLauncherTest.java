package dev.contrastive.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real worker processes on this machine. */
class LocalLauncherTest {

  private final ByteArrayOutputStream output = new ByteArrayOutputStream();

  private LocalLauncher launcher(int processes, String mode) {
    return new LocalLauncher(processes, List.of("-Xmx128m"), RingWorker.class.getName(),
        List.of(mode), new PrintStream(output, true, StandardCharsets.UTF_8));
  }

  private String output() {
    return output.toString(StandardCharsets.UTF_8);
  }

  @Test
  void workersRendezvousAndAllReduceAcrossProcesses() {
    int exit = launcher(3, "check").run();

    assertThat(exit).as(output()).isZero();
    assertThat(output()).contains("[rank 0] sum ok", "[rank 1] sum ok", "[rank 2] sum ok");
  }

  @Test
  void oneFailedWorkerStopsTheGangAndIsNamed() {
    long start = System.nanoTime();
    int exit = launcher(3, "fail").run();

    assertThat(exit).isEqualTo(3);
    assertThat(output()).contains("worker rank 1 failed with exit code 3; stopping the other workers");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(15);
  }

  @Test
  void killingAWorkerMidAllReduceFailsItsPeerWithTheRankNamed() throws Exception {
    LocalLauncher gang = launcher(2, "loop");
    List<Process> workers = new ArrayList<>();
    for (int rank = 0; rank < 2; rank++) {
      ProcessBuilder builder = new ProcessBuilder(gang.command()).redirectErrorStream(true);
      builder.environment().putAll(gang.environmentFor(rank));
      workers.add(builder.start());
    }
    BufferedReader rankZero = new BufferedReader(
        new InputStreamReader(workers.get(0).getInputStream(), StandardCharsets.UTF_8));
    String line = rankZero.readLine();
    while (line != null && !line.equals("looping")) {
      line = rankZero.readLine();
    }
    Thread.sleep(300);

    workers.get(1).destroyForcibly();
    long killed = System.nanoTime();
    StringBuilder rest = new StringBuilder();
    for (line = rankZero.readLine(); line != null; line = rankZero.readLine()) {
      rest.append(line).append('\n');
    }

    assertThat(workers.get(0).waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(workers.get(0).exitValue()).isEqualTo(1);
    assertThat(rest.toString()).containsPattern(
        "error: .*rank 1 \\(127\\.0\\.0\\.1:\\d+\\).*during all-reduce");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killed)).isLessThan(5);
  }
}
