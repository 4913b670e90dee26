package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contrastive.trainer.tracking.FakeMlflowServer;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tracking.mlflow.trackingUri}: a training run as MLflow shows it, and a server that is down. */
class MlflowTrackingTest {

  private static final Pattern FINISHED = Pattern.compile("finished: epoch 2 step 4 loss (\\S+) knnTop1 (\\S+) ");

  @Test
  void aTrainingRunLogsConfigMetricsTagsArtifactsAndStatus(@TempDir Path dir) throws Exception {
    try (FakeMlflowServer server = new FakeMlflowServer()) {
      CliRun run = CliRun.run(Map.of("MLFLOW_TRACKING_TOKEN", "t0ken"), "train", "-f", CliRun.TINY.toString(),
          "checkpoint.mountPath=" + dir, "metrics.port=0", "tracking.mlflow.trackingUri=" + server.uri(),
          "tracking.experiment=Mixer-exp");

      assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
      Matcher finished = FINISHED.matcher(run.out());
      assertThat(finished.find()).as(run.out()).isTrue();
      FakeMlflowServer.StoredRun stored = server.runs().get(0);
      assertThat(server.runs()).hasSize(1);
      assertThat(stored.name).isEqualTo("tiny");
      assertThat(server.experiments()).containsOnlyKeys("Mixer-exp");
      assertThat(stored.params).containsEntry("optimizer.lr", "0.05").containsEntry("trainer.maxEpochs", "2")
          .containsEntry("architecture.preset", "resnet18").containsEntry("tracking.experiment", "Mixer-exp");
      String artifacts = stored.experimentId + "/" + stored.id + "/artifacts/";
      assertThat(stored.tags).containsEntry("contrastive.dev/world-size", "1")
          .containsEntry("contrastive.dev/image", "trainer:test")
          .containsEntry("contrastive.dev/last-checkpoint", "mlflow-artifacts:/" + artifacts + "checkpoint")
          .containsEntry("contrastive.dev/exported-model", "mlflow-artifacts:/" + artifacts + "encoder/encoder.safetensors");
      // the final checkpoint's files, byte for byte
      Path checkpoint = CliRun.tinyFolder(dir).resolve("ckpt-e00002-s0000000004");
      try (Stream<Path> files = Files.walk(checkpoint)) {
        List<Path> written = files.filter(Files::isRegularFile).toList();
        assertThat(written).isNotEmpty();
        assertThat(server.artifacts().keySet()).filteredOn(k -> k.startsWith(artifacts + "checkpoint/"))
            .containsExactlyInAnyOrderElementsOf(written.stream()
                .map(f -> artifacts + "checkpoint/" + checkpoint.relativize(f)).toList());
        for (Path file : written) {
          assertThat(server.artifacts().get(artifacts + "checkpoint/" + checkpoint.relativize(file)))
              .isEqualTo(Files.readAllBytes(file));
        }
      }
      assertThat(stored.metrics.get("train/loss")).containsOnlyKeys(1L, 2L, 3L, 4L);
      assertThat(stored.metrics.get("epoch/loss").get(4L)).isCloseTo(Double.parseDouble(finished.group(1)), within(5e-5));
      assertThat(stored.metrics.get("eval/knn_top1").get(4L)).isCloseTo(Double.parseDouble(finished.group(2)), within(5e-5));
      assertThat(stored.statuses).containsExactly("RUNNING", "FINISHED");
      assertThat(server.artifacts().get(artifacts + "encoder/encoder.safetensors"))
          .isEqualTo(Files.readAllBytes(CliRun.tinyFolder(dir).resolve("encoder.safetensors")));
      // a contact sheet per evaluation (the end of each epoch), as PNG artifacts
      String sheets = stored.experimentId + "/" + stored.id + "/artifacts/contact-sheets/";
      assertThat(server.artifacts().keySet()).filteredOn(k -> k.startsWith(sheets))
          .containsExactlyInAnyOrder(sheets + "step-0000000002.png", sheets + "step-0000000004.png");
      assertThat(ImageIO.read(new ByteArrayInputStream(server.artifacts().get(sheets + "step-0000000004.png"))))
          .isNotNull();
      assertThat(server.requests()).allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer t0ken"));
    }
  }

  @Test
  void aServerThatAnswersErrorsDoesNotStopTraining(@TempDir Path dir) throws Exception {
    try (FakeMlflowServer server = new FakeMlflowServer().mode(FakeMlflowServer.Mode.FAILING)) {
      CliRun run = CliRun.run("train", "-f", CliRun.TINY.toString(), "checkpoint.mountPath=" + dir, "metrics.port=0",
          "tracking.mlflow.trackingUri=" + server.uri());

      assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
      assertThat(run.out()).contains("finished: epoch 2 step 4");
      assertThat(CliRun.tinyFolder(dir).resolve("ckpt-e00002-s0000000004")).isDirectory();
      assertThat(server.requests()).isNotEmpty();
    }
  }
}
