package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.contrastive.trainer.export.EndOfRunExport;
import dev.contrastive.trainer.export.Safetensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trainer export}: torchvision's names and layouts, the metadata, and refusals of bad input. */
class ExportCommandTest {

  @TempDir Path dir;

  @Test
  void resnet18IsWrittenInTorchvisionNamesAndEqualsTheEndOfRunExport() throws IOException {
    Path checkpoints = ExportFixtures.trained("resnet18");
    Path out = dir.resolve("encoder.safetensors");

    CliRun run = CliRun.run(ExportFixtures.args("export", "resnet18", "--checkpoint", checkpoints.toString(),
        "--format", "safetensors", "--out", out.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("wrote 120 tensors").contains("torchvision.models.resnet18");
    // rank 0 wrote the same tensors next to the last checkpoint when the run ended; the configs
    // differ only in checkpoint.mountPath, which the training run overrode
    Path endOfRun = checkpoints.resolve(EndOfRunExport.FILE_NAME);
    assertThat(Arrays.equals(data(out), data(endOfRun))).as("same tensor data").isTrue();
    Map<String, String> exported = new HashMap<>(Safetensors.readMetadata(out));
    Map<String, String> atTheEnd = new HashMap<>(Safetensors.readMetadata(endOfRun));
    String mountPath = checkpoints.getParent().getParent().getParent().toString(); // <mountPath>/default/export/local
    assertThat(exported.remove("config")).doesNotContain(mountPath);
    assertThat(atTheEnd.remove("config")).contains(mountPath);
    assertThat(exported).isEqualTo(atTheEnd);
    try (NDManager manager = NDManager.newBaseManager(); InputStream in = Files.newInputStream(out)) {
      NDList tensors = NDList.decode(manager, in);
      // torchvision resnet18's state_dict has 122 entries, fc.weight and fc.bias being the classifier
      assertThat(tensors).hasSize(120);
      assertThat(tensors.get("conv1.weight").getShape()).isEqualTo(new Shape(64, 3, 3, 3));
      assertThat(tensors.get("layer1.1.conv2.weight").getShape()).isEqualTo(new Shape(64, 64, 3, 3));
      assertThat(tensors.get("layer2.0.downsample.0.weight").getShape()).isEqualTo(new Shape(128, 64, 1, 1));
      assertThat(tensors.get("layer4.1.bn2.running_var").getShape()).isEqualTo(new Shape(512));
      assertThat(tensors.get("layer1.0.downsample.0.weight")).isNull();
      assertThat(tensors.get("fc.weight")).isNull();
      // trained two steps: the running statistics moved and BatchNorm counted the steps
      assertThat(tensors.get("bn1.running_mean").abs().sum().getFloat()).isPositive();
      assertThat(tensors.get("bn1.num_batches_tracked").getDataType()).isEqualTo(DataType.INT64);
      assertThat(tensors.get("bn1.num_batches_tracked").toLongArray()).containsExactly(2L);
    }
    Map<String, String> metadata = Safetensors.readMetadata(out);
    assertThat(metadata).containsEntry("format", "pt")
        .containsEntry("pytorch_module", "torchvision.models.resnet18")
        .containsEntry("projection_head", "not included")
        .containsEntry("step", "2")
        .containsKeys("input_mean", "input_std");
    assertThat(metadata.get("stem")).startsWith("cifar: conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1");
    JsonNode config = new ObjectMapper().readTree(metadata.get("config"));
    assertThat(config.at("/architecture/depth").asInt()).isEqualTo(18);
    assertThat(config.at("/architecture/width").asInt()).isEqualTo(64);
    assertThat(config.at("/dataset/imageSize").asInt()).isEqualTo(32);
  }

  /** The data section: everything after the header. */
  private static byte[] data(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    long header = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return Arrays.copyOfRange(bytes, Math.toIntExact(8 + header), bytes.length);
  }

  @Test
  void projectionHeadIsAddedOnRequestUnderTheIndicesOfAnNnSequential() throws IOException {
    Path out = dir.resolve("with-head.safetensors");

    CliRun run = CliRun.run(ExportFixtures.args("export", "resnet18", "--checkpoint",
        ExportFixtures.trained("resnet18").toString(), "--projection-head", "--out", out.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    try (NDManager manager = NDManager.newBaseManager(); InputStream in = Files.newInputStream(out)) {
      NDList tensors = NDList.decode(manager, in);
      assertThat(tensors).hasSize(128);
      assertThat(tensors.get("projection_head.0.weight").getShape()).isEqualTo(new Shape(64, 512));
      assertThat(tensors.get("projection_head.0.bias")).isNull();
      assertThat(tensors.get("projection_head.1.running_var").getShape()).isEqualTo(new Shape(64));
      assertThat(tensors.get("projection_head.3.weight").getShape()).isEqualTo(new Shape(32, 64));
      assertThat(tensors.get("projection_head.3.bias").getShape()).isEqualTo(new Shape(32));
    }
    assertThat(Safetensors.readMetadata(out).get("projection_head")).startsWith("projection_head.* = nn.Sequential(");
  }

  @Test
  void exportNeedsNoDataOnlyTheCheckpoint() throws IOException {
    Path out = dir.resolve("no-data.safetensors");
    Path missing = dir.resolve("no-cifar-here");

    // a CIFAR-10 run exported on a machine without the data: the encoder is all that is needed
    CliRun run = CliRun.run(ExportFixtures.args("export", "resnet18", "dataset.type=cifar10",
        "dataset.source=" + missing, "--checkpoint", ExportFixtures.trained("resnet18").toString(),
        "--out", out.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("note: the run's dataset is not readable here").contains(missing.toString());
    assertThat(Safetensors.readMetadata(out)).doesNotContainKeys("input_mean", "input_std")
        .containsEntry("pytorch_module", "torchvision.models.resnet18");
  }

  @Test
  void aHubRunIsExportedWithoutAskingTheHub() throws IOException {
    Path out = dir.resolve("hub.safetensors");
    java.util.List<String> requests = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    com.sun.net.httpserver.HttpServer hub =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    hub.createContext("/", exchange -> {
      requests.add(exchange.getRequestURI().toString());
      exchange.sendResponseHeaders(503, -1);
      exchange.close();
    });
    hub.start();
    try {
      Map<String, String> env = Map.of("HF_ENDPOINT", "http://127.0.0.1:" + hub.getAddress().getPort(),
          "HF_HOME", dir.resolve("hf").toString());
      String[] hubRun = {"dataset=huggingface", "dataset.source=ILSVRC/imagenet-1k", "dataset.imageSize=32",
          "--checkpoint", ExportFixtures.trained("resnet18").toString()};

      // ImageNet's normalisation is known without the data
      CliRun run = CliRun.run(env, concat(ExportFixtures.args("export", "resnet18", hubRun), "--out", out.toString()));
      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(new ObjectMapper().readTree(Safetensors.readMetadata(out).get("input_mean")).toString())
          .isEqualTo("[0.485,0.456,0.406]");

      // measured statistics come from the cache alone: an empty one is a note, not a download
      CliRun measured = CliRun.run(env, concat(ExportFixtures.args("export", "resnet18", hubRun),
          "dataset.normalization=measured", "--out", dir.resolve("measured.safetensors").toString()));
      assertThat(measured.exitCode()).as(measured.err()).isZero();
      assertThat(measured.out()).contains("note: the run's dataset is not readable here")
          .contains("is not in the Hugging Face cache");
      assertThat(requests).isEmpty();
    } finally {
      hub.stop(0);
    }
  }

  private static String[] concat(String[] first, String... more) {
    return java.util.stream.Stream.concat(Arrays.stream(first), Arrays.stream(more)).toArray(String[]::new);
  }

  @Test
  void unknownFormatIsOneLineNamingTheFormats() {
    CliRun run = CliRun.run(ExportFixtures.args("export", "resnet18", "--checkpoint", dir.toString(),
        "--format", "onnx", "--out", dir.resolve("x.onnx").toString()));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err().lines()).singleElement().asString()
        .isEqualTo("error: --format onnx is not supported: use safetensors");
  }

  @Test
  void missingCheckpointIsOneLineNamingTheFolder() {
    Path empty = dir.resolve("no-checkpoints");

    CliRun run = CliRun.run(ExportFixtures.args("export", "resnet18", "--checkpoint", empty.toString(),
        "--out", dir.resolve("x.safetensors").toString()));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err().lines()).singleElement().asString().contains(empty.toString()).contains("no checkpoint");
    assertThat(dir.resolve("x.safetensors")).doesNotExist();
  }

  @Test
  void checkpointOfAnotherWidthIsRefusedNamingTheArchitecture() {
    CliRun run = CliRun.run(ExportFixtures.args("export", "resnet18", "architecture.width=32", "--checkpoint",
        ExportFixtures.trained("resnet18").toString(), "--out", dir.resolve("x.safetensors").toString()));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err().lines()).singleElement().asString()
        .contains("not a checkpoint of this run's architecture (resnet depth 18 width 32")
        .contains("has shape (64, 3, 3, 3) there, the architecture needs (32, 3, 3, 3)");
    assertThat(dir.resolve("x.safetensors")).doesNotExist();
  }

  @Test
  void checkpointOfAnotherFamilyIsRefusedNamingTheArchitecture() {
    CliRun run = CliRun.run(ExportFixtures.args("export", "mixer", "--checkpoint",
        ExportFixtures.trained("resnet18").toString(), "--out", dir.resolve("x.safetensors").toString()));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err().lines()).singleElement().asString()
        .contains("not a checkpoint of this run's architecture (mixer depth 2 width 64");
  }
}
