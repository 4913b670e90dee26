package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench/gpu-check.sh}, the GPU proof a GPU machine runs (and CI's self-hosted GPU runner):
 * here in its CPU mode, 2 processes on the staging host transfer that GPUs take, with this build
 * of the trainer; and against a stand-in nvidia-smi for what it decides before any training.
 */
@Tag("slow") // about 40 s on 2 quiet cores: it starts 12 trainer JVMs
class GpuCheckScriptTest {

  private static final Path SCRIPT = Path.of("..", "bench", "gpu-check.sh").toAbsolutePath().normalize();
  /** The tiny test run as overrides, a few steps of it. */
  private static final List<String> TINY = List.of("--batch", "4", "--steps", "1", "--warmup", "1",
      "architecture=resnet18", "architecture.width=16", "architecture.projectionHiddenDim=32",
      "architecture.projectionDim=16", "dataset.imageSize=16");

  @TempDir Path bin;
  private Path trainer;

  private record Result(int exitCode, String out) {}

  @BeforeEach
  void trainerOfThisBuild() throws IOException {
    // one compute thread per process on a small shared machine; the ranks inherit it
    trainer = executable("trainer", "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
        + "' -Xmx1g -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 -cp '"
        + System.getProperty("java.class.path") + "' " + TrainerCli.class.getName() + " \"$@\"\n");
  }

  @Test
  void cpuModeTrainsOneAndTwoProcessesOnTheStagingPathAndPrintsTheFigures() throws Exception {
    Result run = run(Map.of(), concat(List.of("--cpu", "2"), TINY));

    assertThat(run.exitCode()).as(run.out()).isZero();
    assertThat(run.out()).containsPattern("(?m)^gpu-check: CPU mode \\(--cpu 2\\): no GPU is used; 2 CPU processes"
        + " on the staging host transfer, the path GPUs take$");
    assertThat(run.out()).containsPattern("(?m)^gpu-check: 1 CPU process: [0-9]+\\.[0-9] images/s per CPU process,"
        + " peak device memory n/a \\(device cpu\\(\\), staging host transfer\\)$");
    assertThat(run.out()).containsPattern("(?m)^gpu-check: 2 CPU processes: [0-9]+\\.[0-9] images/s, [0-9]+\\.[0-9]"
        + " per CPU process \\([0-9]+% of 1 CPU process\\), peak device memory n/a, replica check passed$");
    assertThat(run.out()).containsPattern("(?m)^gpu-check: data-parallel check passed on cpu\\(\\), staging host"
        + " transfer, flat ring of 2: 2 ranks, 3 steps: .*replica check: 6 parameters identical on all ranks$");
    assertThat(run.out()).endsWith("gpu-check: passed\n");
  }

  @Test
  void aReplicaThatDriftedFailsTheCheckWithTheTensorAndTheRanksNamed() throws Exception {
    Result run = run(Map.of("GPU_CHECK_DRIFT_RANK", "1"), concat(List.of("--cpu", "2"), TINY));

    assertThat(run.exitCode()).as(run.out()).isEqualTo(1);
    assertThat(run.out()).containsPattern("(?m)^gpu-check: FAILED: the 2-process bench: \\[rank [01]] error: replica"
        + " check after 2 steps failed: tensor '\\S+' differs: rank 0 \\(sum .*\\) vs rank 1 \\(sum .*\\); the ranks"
        + " no longer train the same model$");
    assertThat(run.out()).doesNotContain("2 CPU processes:", "gpu-check: passed");
  }

  @Test
  void withoutAGpuItSaysSoInOneLineAndExits77() throws Exception {
    nvidiaSmi("echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\"; exit 9");

    Result run = run(Map.of(), List.of());

    assertThat(run.exitCode()).isEqualTo(77);
    assertThat(run.out()).isEqualTo("gpu-check: no NVIDIA GPU here (nvidia-smi: NVIDIA-SMI has failed because it"
        + " couldn't communicate with the NVIDIA driver.); nothing was checked\n");
  }

  @Test
  void aDriverOlderThanTheCudaBuildNeedsFailsBeforeTraining() throws Exception {
    nvidiaSmi("printf '0, NVIDIA H100 80GB HBM3, 535.161.08, 81559\\n1, NVIDIA H100 80GB HBM3, 535.161.08, 81559\\n'");

    Result run = run(Map.of(), List.of());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEqualTo(
        "gpu-check: 2 GPUs visible (2 on the machine, first: NVIDIA H100 80GB HBM3), driver 535.161.08\n"
        + "gpu-check: FAILED: NVIDIA driver 535.161.08 is older than 570.26, which the trainer's CUDA build needs"
        + " (docs/gpus.md)\n");
  }

  @Test
  void aTrainerThatRunsOnTheCpuWhereGpusAreListedFailsInsteadOfReportingCpuFigures() throws Exception {
    nvidiaSmi("printf '0, NVIDIA H200, 570.86.15, 143771\\n1, NVIDIA H200, 570.86.15, 143771\\n'");

    Result run = run(Map.of(), TINY); // this build's libtorch is the CPU one

    assertThat(run.exitCode()).as(run.out()).isEqualTo(1);
    assertThat(run.out()).endsWith("gpu-check: FAILED: the trainer ran on cpu() although 2 GPUs are visible: its"
        + " libtorch is a CPU build (PYTORCH_FLAVOR, PYTORCH_LIBRARY_PATH) or the driver cannot serve its CUDA"
        + " version (docs/gpus.md)\n");
  }

  private void nvidiaSmi(String body) throws IOException {
    executable("nvidia-smi", "#!/bin/sh\n" + body + "\n");
  }

  private Path executable(String name, String content) throws IOException {
    Path file = bin.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  private Result run(Map<String, String> env, List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> environment = builder.environment();
    environment.keySet().removeIf(name -> name.startsWith("GPU_CHECK_") || name.equals("CUDA_VISIBLE_DEVICES")
        || name.equals("CONTRASTIVE_HOST_TRANSFER"));
    environment.put("PATH", bin + ":" + environment.getOrDefault("PATH", "/usr/bin:/bin"));
    environment.put("TRAINER", trainer.toString());
    environment.putAll(env);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
    }
    return new Result(process.exitValue(), out);
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }
}
