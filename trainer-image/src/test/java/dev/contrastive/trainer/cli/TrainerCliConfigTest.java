package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.RunFiles;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --help} and {@code config}: what a user reads before training. */
class TrainerCliConfigTest {

  @Test
  void helpListsEverySettingWithTypeAndDefault() {
    CliRun run = CliRun.run("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).containsPattern("optimizer\\.lr\\s+number")
        .containsPattern("trainer\\.maxEpochs\\s+integer .*\\[default: 100\\]")
        .contains("train", "config", "embed", "similar", "bench");
  }

  @Test
  void configPrintsTheResolvedRunWithOverridesAndPresetsApplied() {
    CliRun run = CliRun.run("config", "-f", CliRun.TINY.toString(), "optimizer=adamw", "optimizer.lr=5e-4",
        "trainer.max_epochs=3");

    assertThat(run.exitCode()).isZero();
    ContrastiveTrainingRun resolved = RunFiles.parse(run.out(), "stdout");
    assertThat(resolved.getSpec().optimizer.type).isEqualTo("adamw");
    assertThat(resolved.getSpec().optimizer.lr).isEqualTo(5e-4);
    assertThat(resolved.getSpec().optimizer.beta2).isNotNull(); // from the adamw preset
    assertThat(resolved.getSpec().trainer.maxEpochs).isEqualTo(3);
    assertThat(resolved.getSpec().architecture.depth).isEqualTo(18); // from the resnet18 preset
  }

  @Test
  void configPrintsTheGlobalBatchAndTheScaledLearningRate() {
    CliRun run = CliRun.run("config", "-f", CliRun.TINY.toString(), "optimizer=lars",
        "trainer.batchSizePerWorker=256", "--world-size", "4");

    assertThat(run.exitCode()).isZero();
    // the lars preset scales linearly (SimCLR's lr x B/256) the run's own lr of 0.05
    assertThat(run.out()).endsWith("# effective at world size 4 (--world-size): global batch 1024 (4 x 256),"
        + " lr 0.05 x 1024/256 (linear) = 0.2\n");
    assertThat(RunFiles.parse(run.out(), "stdout").getSpec().optimizer.lrScaling).isEqualTo("linear");
  }

  @Test
  void configCountsTheGlobalBatchForTheWorkersTheSpecAsksFor() {
    CliRun run = CliRun.run("config", "-f", CliRun.TINY.toString(), "optimizer.lrScaling=sqrt",
        "resources.gpusPerNode=0", "workers=2", "resources.processesPerWorker=2");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("# effective at world size 4 (spec.workers x 2 processes): global batch 32"
        + " (4 x 8), lr 0.05 x sqrt(32/256) (sqrt) = 0.0176777");
  }

  @Test
  void runFileComesFromConfigFileWhenNoFlagIsGiven() {
    CliRun run = CliRun.run(Map.of("CONFIG_FILE", CliRun.TINY.toString()), "config");

    assertThat(run.exitCode()).isZero();
    assertThat(RunFiles.parse(run.out(), "stdout").getMetadata().getName()).isEqualTo("tiny");
  }

  @Test
  void fileFlagWinsOverConfigFile() {
    CliRun run = CliRun.run(Map.of("CONFIG_FILE", "elsewhere.yaml"), "config", "-f", CliRun.TINY.toString());

    assertThat(run.exitCode()).isZero();
  }

  @Test
  void theSeedCommandLineNeedsNoRunFile() {
    CliRun run = CliRun.run("config", "dataset=imagenet", "architecture=parallel_vit_base", "trainer.maxEpochs=3",
        "optimizer.lr=0.0005");

    assertThat(run.exitCode()).as(run.err()).isZero();
    ContrastiveTrainingRun resolved = RunFiles.parse(run.out(), "stdout");
    assertThat(resolved.getSpec().dataset.type).isEqualTo("huggingface");
    assertThat(resolved.getSpec().dataset.source).isEqualTo("ILSVRC/imagenet-1k");
    assertThat(resolved.getSpec().dataset.imageSize).isEqualTo(224);
    assertThat(resolved.getSpec().architecture.family).isEqualTo("parallel_vit");
    assertThat(resolved.getSpec().architecture.width).isEqualTo(768);
    assertThat(resolved.getSpec().trainer.maxEpochs).isEqualTo(3);
    assertThat(resolved.getSpec().optimizer.lr).isEqualTo(5e-4);
  }

  @Test
  void withoutRunFileTheDefaultsAreARun() {
    CliRun run = CliRun.run("config");

    assertThat(run.exitCode()).as(run.err()).isZero();
    ContrastiveTrainingRun resolved = RunFiles.parse(run.out(), "stdout");
    assertThat(resolved.getMetadata().getName()).isEqualTo("command-line");
    assertThat(resolved.getSpec().dataset.type).isEqualTo("synthetic");
  }
}
