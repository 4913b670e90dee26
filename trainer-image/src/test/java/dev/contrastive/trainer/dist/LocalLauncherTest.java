package dev.contrastive.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.trainer.device.PlacementException;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
    int exit = launcher(3, "fail").run();

    assertThat(exit).as(output()).isEqualTo(3);
    assertThat(output()).contains("worker rank 1 failed with exit code 3; the gang is stopped");
  }

  @Test
  void invalidInputOfOneWorkerWinsOverThePeersThatFailedBecauseOfIt() {
    int exit = launcher(3, "invalid").run();

    assertThat(exit).as(output()).isEqualTo(2);
    assertThat(output()).contains("worker rank 1 failed with exit code 2; the gang is stopped");
  }

  @Test
  void aPeerThatLostTheFailedWorkerIsNotBlamedWhenItsExitIsSeenFirst() {
    // rank 1 exited 3; rank 0 lost it and exited 1 and was seen first; rank 2 was stopped (143)
    List<Process> gang = List.of(new Exited(1), new Exited(3), new Exited(143));
    assertThat(LocalLauncher.cause(gang, 0, Set.of())).isEqualTo(1);
    // a worker killed while being stopped (137) is no cause; the first seen is
    assertThat(LocalLauncher.cause(List.of(new Exited(1), new Exited(137)), 0, Set.of(1))).isZero();
    // but one killed by something else (the OOM killer: 137) is
    assertThat(LocalLauncher.cause(List.of(new Exited(1), new Exited(137)), 0, Set.of())).isEqualTo(1);
    // invalid input wins over a code of its own
    assertThat(LocalLauncher.cause(List.of(new Exited(3), new Exited(1), new Exited(2)), 0, Set.of())).isEqualTo(2);
    // all lost a peer or were stopped: the first seen
    assertThat(LocalLauncher.cause(List.of(new Exited(143), new Exited(1)), 1, Set.of())).isEqualTo(1);
  }

  /** A worker that has exited with {@code code}. */
  private static final class Exited extends Process {
    private final int code;

    Exited(int code) {
      this.code = code;
    }

    @Override
    public int exitValue() {
      return code;
    }

    @Override
    public boolean isAlive() {
      return false;
    }

    @Override
    public int waitFor() {
      return code;
    }

    @Override
    public void destroy() {}

    @Override
    public java.io.OutputStream getOutputStream() {
      return java.io.OutputStream.nullOutputStream();
    }

    @Override
    public java.io.InputStream getInputStream() {
      return java.io.InputStream.nullInputStream();
    }

    @Override
    public java.io.InputStream getErrorStream() {
      return java.io.InputStream.nullInputStream();
    }
  }

  @Test
  void twoPodsOfTwoProcessesFormOneGangOfFourWithOneGpuPerProcess() throws Exception {
    int masterPort = LocalGang.freePort();
    List<CompletableFuture<Integer>> pods = new ArrayList<>();
    for (int node = 0; node < 2; node++) {
      Map<String, String> podEnv = new HashMap<>();
      podEnv.put("NODE_RANK", Integer.toString(node));
      podEnv.put("NPROC_PER_NODE", "2");
      podEnv.put("WORLD_SIZE", "4");
      podEnv.put("CONTRASTIVE_GPUS", "2");
      podEnv.put("MASTER_ADDR", "127.0.0.1");
      podEnv.put("MASTER_PORT", Integer.toString(masterPort));
      podEnv.put("RENDEZVOUS_TOKEN", "pod-token");
      podEnv.put("POD_IP", "127.0.0.1");
      if (node == 1) {
        podEnv.put("CUDA_VISIBLE_DEVICES", "4,5"); // a runtime that names the pod's GPUs
      }
      LocalLauncher pod = LocalLauncher.forNode(podEnv, List.of("-Xmx128m"),
          RingWorker.class.getName(), List.of("check"), new PrintStream(output, true, StandardCharsets.UTF_8));
      pods.add(CompletableFuture.supplyAsync(pod::run));
    }

    assertThat(pods.get(0).get(60, TimeUnit.SECONDS)).as(output()).isZero();
    assertThat(pods.get(1).get(60, TimeUnit.SECONDS)).as(output()).isZero();
    assertThat(output()).contains(
        "[rank 0] rank 0 local 0 node 0 of 2 per node, gpu 0",
        "[rank 1] rank 1 local 1 node 0 of 2 per node, gpu 1",
        "[rank 2] rank 2 local 0 node 1 of 2 per node, gpu 4",
        "[rank 3] rank 3 local 1 node 1 of 2 per node, gpu 5",
        "[rank 3] sum ok");
  }

  @Test
  void aCpuPodLeavesTheGpusAloneAndAPodWithOneProcessIsNotALauncher() {
    Map<String, String> podEnv = new HashMap<>(Map.of("NODE_RANK", "1", "NPROC_PER_NODE", "3",
        "WORLD_SIZE", "6", "MASTER_ADDR", "m", "RENDEZVOUS_TOKEN", "t", "POD_IP", "p"));
    LocalLauncher pod = LocalLauncher.forNode(podEnv, List.of(), "Main", List.of(), System.out);

    assertThat(pod.processes()).isEqualTo(3);
    assertThat(pod.environmentFor(2)).containsEntry("RANK", "5").containsEntry("LOCAL_RANK", "2")
        .containsEntry("LOCAL_WORLD_SIZE", "3").doesNotContainKey("CUDA_VISIBLE_DEVICES");
    assertThat(LocalLauncher.launchesNode(podEnv)).isTrue();
    assertThat(LocalLauncher.launchesNode(pod.environmentFor(0))).isFalse();
    podEnv.put("NPROC_PER_NODE", "1");
    assertThat(LocalLauncher.launchesNode(podEnv)).isFalse();
  }

  @Test
  void standaloneRanksGetTheCallersEnvironmentAndOneGpuEachInRankOrder() {
    Map<String, String> env = Map.of("CONTRASTIVE_HOST_TRANSFER", "staging", "CUDA_VISIBLE_DEVICES", "3,5,6,7");
    LocalLauncher gang = LocalLauncher.standalone(env, LocalLauncher.visibleGpus(env, () -> 0), 2, 2, List.of(),
        "Main", List.of(), System.out);

    assertThat(gang.processes()).isEqualTo(4);
    assertThat(gang.environmentFor(0)).containsEntry("CONTRASTIVE_HOST_TRANSFER", "staging")
        .containsEntry("CUDA_VISIBLE_DEVICES", "3").containsEntry("RANK", "0");
    assertThat(gang.environmentFor(3)).containsEntry("CONTRASTIVE_HOST_TRANSFER", "staging")
        .containsEntry("CUDA_VISIBLE_DEVICES", "7").containsEntry("NODE_RANK", "1").containsEntry("LOCAL_RANK", "1");
  }

  @Test
  void theGpusToShareOutComeFromTheVisibleListThePodsCountOrTheCudaRuntime() {
    assertThat(LocalLauncher.visibleGpus(Map.of("CUDA_VISIBLE_DEVICES", "GPU-a1, GPU-b2"), () -> 8))
        .containsExactly("GPU-a1", "GPU-b2");
    assertThat(LocalLauncher.visibleGpus(Map.of("CUDA_VISIBLE_DEVICES", ""), () -> 8)).isEmpty();
    assertThat(LocalLauncher.visibleGpus(Map.of("CONTRASTIVE_GPUS", "2"), () -> 8)).containsExactly("0", "1");
    assertThat(LocalLauncher.visibleGpus(Map.of("CONTRASTIVE_GPUS", "0"), () -> 8)).isEmpty();
    assertThat(LocalLauncher.visibleGpus(Map.of(), () -> 3)).containsExactly("0", "1", "2");
    assertThat(LocalLauncher.visibleGpus(Map.of(), () -> 0)).isEmpty();
  }

  @Test
  void cpuRanksGetNoGpuAndMoreRanksThanGpusAreRefusedWithOneLine() {
    LocalLauncher cpu = LocalLauncher.standalone(Map.of(), List.of(), 1, 3, List.of(), "Main", List.of(), System.out);

    assertThat(cpu.environmentFor(2)).doesNotContainKey("CUDA_VISIBLE_DEVICES").containsEntry("RANK", "2");
    assertThatThrownBy(() -> LocalLauncher.standalone(Map.of(), List.of("0", "1"), 1, 3, List.of(), "Main",
        List.of(), System.out))
        .isInstanceOf(PlacementException.class)
        .hasMessage("--nodes 1 x --nproc 3 = 3 processes, but this machine has 2 GPUs (0,1): one process per GPU,"
            + " so at most 2, or CUDA_VISIBLE_DEVICES= (empty) to run on the CPU");
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
    workers.get(1).destroyForcibly();
    StringBuilder rest = new StringBuilder();
    for (line = rankZero.readLine(); line != null; line = rankZero.readLine()) {
      rest.append(line).append('\n');
    }

    assertThat(workers.get(0).waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(workers.get(0).exitValue()).isEqualTo(1);
    assertThat(rest.toString()).containsPattern(
        "error: .*rank 1 \\(127\\.0\\.0\\.1:\\d+\\).*during all-reduce");
    // seen as the closed connection at once, not by waiting out the peer timeout (RingWorker: 30 s)
    assertThat(rest.toString()).contains("the connection").doesNotContain("sent nothing for", "stopped reading for");
  }
}
