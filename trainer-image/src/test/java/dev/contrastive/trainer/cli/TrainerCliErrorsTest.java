package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.trainer.data.hub.FakeHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User errors: exit code 2 and exactly one line on stderr naming what is wrong. */
class TrainerCliErrorsTest {

  @Test
  void unknownKeyIsOneLineNamingTheKey() {
    CliRun run = CliRun.run("config", "-f", CliRun.TINY.toString(), "optimizer.lrr=0.1");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err().lines()).singleElement().asString()
        .contains("optimizer.lrr").contains("optimizer.lr");
  }

  @Test
  void outOfRangeValueNamesKeyValueAndRange() {
    CliRun run = CliRun.run("train", "-f", CliRun.TINY.toString(), "trainer.batchSizePerWorker=1");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err().lines()).singleElement().asString().contains("batchSizePerWorker").contains("1");
  }

  @Test
  void unknownAllReducePrecisionIsOneLineNamingTheField() {
    CliRun run = CliRun.run("config", "-f", CliRun.TINY.toString(), "distributed.allReducePrecision=fp8");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err().lines()).singleElement().asString()
        .contains("distributed.allReducePrecision").contains("fp8");
  }

  @Test
  void malformedYamlIsOneLineNamingTheFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "apiVersion: contrastive.dev/v1alpha1\nkind: [unclosed\n");

    CliRun run = CliRun.run("train", "-f", file.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err().lines()).singleElement().asString().contains("broken.yaml").contains("malformed YAML");
  }

  @Test
  void missingFileIsOneLineNamingTheFile() {
    CliRun run = CliRun.run("config", "-f", "no-such-run.yaml");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err().lines()).singleElement().asString().contains("no-such-run.yaml");
  }

  @Test
  void missingConfigFileIsOneLineNamingIt() {
    CliRun run = CliRun.run(Map.of("CONFIG_FILE", "/no/such/config.yaml"), "config");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err().lines()).singleElement().asString().contains("/no/such/config.yaml");
  }

  @Test
  void unknownFlagIsOneLine() {
    CliRun run = CliRun.run("train", "--bogus", "-f", CliRun.TINY.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err().lines()).singleElement().asString().contains("--bogus");
  }

  @Test
  void missingDataIsOneLineNamingTheFolder(@TempDir Path dir) {
    CliRun run = CliRun.run("train", "-f", CliRun.TINY.toString(), "dataset=cifar10",
        "dataset.source=" + dir.resolve("nowhere"), "checkpoint.mountPath=" + dir.resolve("ckpt"));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err().lines()).singleElement().asString().contains("nowhere");
  }

  @Test
  void anEmptyDataFolderIsOneLineNamingItBeforeAnyWorkerStarts(@TempDir Path dir) throws IOException {
    Path empty = Files.createDirectories(dir.resolve("imagenet"));
    CliRun run = CliRun.run("train", "-f", CliRun.TINY.toString(), "--nproc", "2", "dataset=imagefolder",
        "dataset.source=" + empty, "checkpoint.mountPath=" + dir.resolve("ckpt"));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err().lines()).singleElement().asString()
        .contains("dataset.source " + empty + ": the folder is empty");
  }

  @Test
  void unknownHostTransferIsOneLineNamingTheVariable(@TempDir Path dir) {
    CliRun run = CliRun.run(java.util.Map.of("CONTRASTIVE_HOST_TRANSFER", "pinned"),
        "train", "-f", CliRun.TINY.toString(), "checkpoint.mountPath=" + dir.resolve("ckpt"));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err().lines()).singleElement().asString()
        .contains("CONTRASTIVE_HOST_TRANSFER=pinned").contains("auto, zero-copy or staging");
  }

  @Test
  void aGatedHubDataSetWithoutTokenIsOneLineNamingItAndWhatToDo(@TempDir Path dir) throws IOException {
    try (FakeHub hub = new FakeHub()) {
      hub.repo("someone/gated").gated("hf_right").commit("main", "d".repeat(40), FakeHub.files(
          "data/train-00000-of-00001.parquet", new byte[200], "data/test-00000-of-00001.parquet", new byte[200]));

      CliRun run = CliRun.run(Map.of("HF_ENDPOINT", hub.endpoint(), "HF_HOME", dir.resolve("hf").toString()),
          "train", "-f", CliRun.TINY.toString(), "dataset=huggingface", "dataset.source=someone/gated",
          "dataset.imageSize=16", "checkpoint.mountPath=" + dir.resolve("ckpt"));

      assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(run.err().lines()).singleElement().asString()
          .startsWith("error: dataset.source someone/gated is a gated data set and no token (HF_TOKEN is not set) gives no"
              + " access: accept its conditions on the data set's Hub page, then put a token of that account in"
              + " HF_TOKEN");
    }
  }

  @Test
  void theSeedCommandLineTrainsImageNetFromTheHubWithoutARunFile(@TempDir Path dir) throws IOException {
    try (FakeHub hub = new FakeHub()) {
      hub.repo("ILSVRC/imagenet-1k").gated("hf_right").commit("main", "e".repeat(40), FakeHub.files(
          "data/train-00000-of-00001.parquet", new byte[200], "data/validation-00000-of-00001.parquet", new byte[200]));

      // the seed's `docker run <image> train ...` line, as the image's entrypoint passes it on; the
      // trainer resolves it without -f and goes to the Hub for ImageNet, where only the token is missing
      CliRun run = CliRun.run(Map.of("HF_ENDPOINT", hub.endpoint(), "HF_HOME", dir.resolve("hf").toString()),
          "train", "dataset=imagenet", "architecture=parallel_vit_base", "trainer.maxEpochs=3", "optimizer.lr=0.0005");

      assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(run.err().lines()).singleElement().asString()
          .startsWith("error: dataset.source ILSVRC/imagenet-1k is a gated data set and no token (HF_TOKEN is not set)"
              + " gives no access")
          .contains("(HTTP 401 from " + hub.endpoint());
    }
  }
}
