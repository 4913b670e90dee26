package dev.contrastive.trainer.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST calls the MLflow backend makes, against a server that answers as MLflow 2.x does. */
class MlflowBackendTest {

  private static TrackedRun run(String uid, int params) {
    Map<String, String> config = new LinkedHashMap<>();
    IntStream.range(0, params).forEach(i -> config.put("setting." + i, Integer.toString(i)));
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("contrastive.dev/namespace", "team-a");
    if (uid != null) {
      tags.put(TrackedRun.UID_TAG, uid);
    }
    return new TrackedRun("Mixer-exp", "Parallel-ViT-1", config, tags, Path.of("/checkpoints"));
  }

  @Test
  void aRunIsCreatedInItsExperimentWithParamsTagsMetricsArtifactsAndStatus(@TempDir Path dir) throws Exception {
    Path encoder = Files.write(dir.resolve("encoder.safetensors"), new byte[] {1, 2, 3});
    Path checkpoint = checkpoint(dir);
    try (FakeMlflowServer server = new FakeMlflowServer()) {
      MlflowBackend backend = new MlflowBackend(server.uri() + "/", Map.of("MLFLOW_TRACKING_TOKEN", "s3cret"));

      backend.start(run("uid-1", 250));
      backend.scalars(10, 1_000L, Map.of("train/loss", 3.5, "train/learning_rate", 0.3));
      backend.scalars(20, 2_000L, Map.of("train/loss", 3.25));
      backend.image("eval/nearest_neighbours", 20, 2_000L, new byte[] {9}, 1, 1, "contact-sheets/step-0000000020.png");
      backend.finish(new TrackedRun.End(TrackedRun.Status.FINISHED, checkpoint, encoder));
      backend.close();

      assertThat(server.experiments()).containsOnlyKeys("Mixer-exp");
      FakeMlflowServer.StoredRun stored = server.runs().get(0);
      assertThat(server.runs()).hasSize(1);
      assertThat(stored.name).isEqualTo("Parallel-ViT-1");
      assertThat(stored.experimentId).isEqualTo(server.experiments().get("Mixer-exp"));
      assertThat(stored.params).hasSize(250).containsEntry("setting.249", "249");
      String artifacts = stored.experimentId + "/" + stored.id + "/artifacts/";
      String artifactUri = "mlflow-artifacts:/" + artifacts;
      assertThat(stored.tags).containsEntry("contrastive.dev/namespace", "team-a")
          .containsEntry(TrackedRun.UID_TAG, "uid-1")
          .containsEntry("contrastive.dev/last-checkpoint", artifactUri + "checkpoint")
          .containsEntry("contrastive.dev/exported-model", artifactUri + "encoder/encoder.safetensors");
      assertThat(stored.metrics.get("train/loss")).containsExactly(Map.entry(10L, 3.5), Map.entry(20L, 3.25));
      assertThat(stored.statuses).containsExactly("RUNNING", "FINISHED");
      assertThat(server.artifacts()).containsOnlyKeys(
          artifacts + "contact-sheets/step-0000000020.png",
          artifacts + "checkpoint/manifest.json",
          artifacts + "checkpoint/model-0000.params",
          artifacts + "checkpoint/optimizer/state.bin",
          artifacts + "encoder/encoder.safetensors");
      assertThat(server.artifacts().get(artifacts + "encoder/encoder.safetensors")).containsExactly(1, 2, 3);
      for (String file : List.of("manifest.json", "model-0000.params", "optimizer/state.bin")) {
        assertThat(server.artifacts().get(artifacts + "checkpoint/" + file))
            .isEqualTo(Files.readAllBytes(checkpoint.resolve(file)));
      }
      // the tags that point at the artifacts come after the uploads, the end status last
      List<String> calls = calls(server);
      assertThat(calls.lastIndexOf("POST /api/2.0/mlflow/runs/log-batch"))
          .isGreaterThan(calls.lastIndexOf("PUT /api/2.0/mlflow-artifacts/artifacts/" + artifacts + "encoder/encoder.safetensors"))
          .isLessThan(calls.lastIndexOf("POST /api/2.0/mlflow/runs/update"));
      // parameters go 100 to a batch, MLflow's limit
      assertThat(server.requests()).filteredOn(r -> r.path().endsWith("/runs/log-batch") && r.json().has("params"))
          .extracting(r -> r.json().get("params").size()).containsExactly(100, 100, 50);
      assertThat(server.requests()).allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer s3cret"));
    }
  }

  @Test
  void aCheckpointTheProxyRefusesIsRecordedByItsFileUriAndTheRunStillEnds(@TempDir Path dir) throws Exception {
    Path checkpoint = checkpoint(dir);
    try (FakeMlflowServer server = new FakeMlflowServer().refuseArtifacts()) {
      MlflowBackend backend = new MlflowBackend(server.uri(), Map.of());
      backend.start(run(null, 1));
      backend.finish(new TrackedRun.End(TrackedRun.Status.FINISHED, checkpoint, null));
      backend.close();

      assertThat(server.artifacts()).isEmpty();
      assertThat(server.runs().get(0).tags)
          .containsEntry("contrastive.dev/last-checkpoint", checkpoint.toUri().toString());
      assertThat(server.runs().get(0).statuses).containsExactly("RUNNING", "FINISHED");
    }
  }

  /** A checkpoint folder as the trainer writes one, with a sub-folder to show that those are kept. */
  private static Path checkpoint(Path dir) throws Exception {
    Path checkpoint = Files.createDirectories(dir.resolve("ckpt-e00002-s0000000020"));
    Files.write(checkpoint.resolve("model-0000.params"), new byte[] {4, 5, 6, 7});
    Files.writeString(checkpoint.resolve("manifest.json"), "{\"step\":20}");
    Files.write(Files.createDirectories(checkpoint.resolve("optimizer")).resolve("state.bin"), new byte[] {8});
    return checkpoint;
  }

  @Test
  void aRestartedGangContinuesTheRunOfItsUid() throws Exception {
    try (FakeMlflowServer server = new FakeMlflowServer()) {
      MlflowBackend first = new MlflowBackend(server.uri(), Map.of());
      first.start(run("uid-7", 3));
      first.scalars(5, 1_000L, Map.of("train/loss", 4.0));
      first.close(); // the gang died without finishing

      MlflowBackend second = new MlflowBackend(server.uri(), Map.of());
      second.start(run("uid-7", 3));
      second.scalars(6, 2_000L, Map.of("train/loss", 3.0));
      second.finish(new TrackedRun.End(TrackedRun.Status.FINISHED, null, null));
      second.close();

      assertThat(server.runs()).singleElement().satisfies(stored -> {
        assertThat(stored.metrics.get("train/loss")).containsOnlyKeys(5L, 6L);
        assertThat(stored.statuses).containsExactly("RUNNING", "RUNNING", "FINISHED");
      });
    }
  }

  @Test
  void runsOutsideAClusterAreRunsOfTheirOwnInTheDefaultExperiment() throws Exception {
    try (FakeMlflowServer server = new FakeMlflowServer()) {
      for (int i = 0; i < 2; i++) {
        MlflowBackend backend = new MlflowBackend(server.uri(), Map.of());
        backend.start(new TrackedRun(null, "tiny", Map.of(), Map.of(), Path.of("/c")));
        backend.close();
      }

      assertThat(server.runs()).extracting(r -> r.experimentId).containsExactly("0", "0");
      assertThat(server.experiments()).isEmpty();
    }
  }

  @Test
  void artifactsOutsideTheServersProxyAreNotWrittenButTheirFileUrisAreTagged(@TempDir Path dir) throws Exception {
    Path encoder = Files.write(dir.resolve("encoder.safetensors"), new byte[] {1});
    Path checkpoint = checkpoint(dir);
    try (FakeMlflowServer server = new FakeMlflowServer().artifactRoot("s3://bucket/mlflow")) {
      MlflowBackend backend = new MlflowBackend(server.uri(), Map.of());
      backend.start(run(null, 1));
      backend.image("eval/nearest_neighbours", 1, 1L, new byte[] {9}, 1, 1, "contact-sheets/x.png");
      backend.finish(new TrackedRun.End(TrackedRun.Status.KILLED, checkpoint, encoder));
      backend.close();

      assertThat(server.artifacts()).isEmpty();
      assertThat(server.runs().get(0).tags)
          .containsEntry("contrastive.dev/last-checkpoint", "file://" + checkpoint + "/")
          .containsEntry("contrastive.dev/exported-model", "file://" + encoder);
      assertThat(server.runs().get(0).statuses).containsExactly("RUNNING", "KILLED");
      assertThat(server.requests()).noneMatch(r -> r.method().equals("PUT"));
    }
  }

  @Test
  void basicCredentialsWhenUserAndPasswordAreSet() throws Exception {
    try (FakeMlflowServer server = new FakeMlflowServer()) {
      MlflowBackend backend = new MlflowBackend(server.uri(),
          Map.of("MLFLOW_TRACKING_USERNAME", "ml", "MLFLOW_TRACKING_PASSWORD", "pw", "MLFLOW_TRACKING_TOKEN", "t"));
      backend.start(run(null, 1));
      backend.close();

      assertThat(server.requests()).extracting(FakeMlflowServer.Request::authorization)
          .containsOnly("Basic bWw6cHc=");
    }
  }

  static List<String> calls(FakeMlflowServer server) {
    return server.requests().stream().map(r -> r.method() + " " + r.path()).toList();
  }
}
