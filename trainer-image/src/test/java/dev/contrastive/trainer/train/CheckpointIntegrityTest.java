package dev.contrastive.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a crash, a full disk or a bit flip leaves on the volume, and how resume copes with it. */
class CheckpointIntegrityTest {

  @TempDir Path dir;
  private final List<String> warnings = new ArrayList<>();
  private CheckpointStore store;
  private Path older;
  private Path newest;

  @BeforeEach
  void twoCheckpoints() throws IOException {
    store = new CheckpointStore(dir, 3, warnings::add);
    try (NDManager manager = NDManager.newBaseManager()) {
      older = store.save(new TrainingState(1, 10, 42), CheckpointStoreTest.tinyNet(manager, 0), Map.of());
      newest = store.save(new TrainingState(2, 20, 42), CheckpointStoreTest.tinyNet(manager, 1), Map.of());
    }
  }

  @Test
  void aTruncatedParameterFileMakesResumeUseThePreviousCheckpoint() throws IOException {
    Path params = newest.resolve(Checkpoint.PARAMETERS);
    byte[] bytes = Files.readAllBytes(params);
    Files.write(params, java.util.Arrays.copyOf(bytes, bytes.length / 2));

    assertThat(store.latest().orElseThrow().dir()).isEqualTo(older);
    assertThat(warnings).singleElement().asString()
        .contains("skipping corrupt checkpoint ckpt-e00002-s0000000020", "model.params", "truncated",
            "using the one before it");
  }

  @Test
  void aFlippedByteIsCaughtByTheChecksum() throws IOException {
    Path params = newest.resolve(Checkpoint.PARAMETERS);
    byte[] bytes = Files.readAllBytes(params);
    bytes[bytes.length - 3] ^= 1;
    Files.write(params, bytes);

    assertThat(store.latest().orElseThrow().dir()).isEqualTo(older);
    assertThat(warnings).singleElement().asString().contains("model.params", "SHA-256");
  }

  @Test
  void aBadStateFileIsSkipped() throws IOException {
    Files.writeString(newest.resolve(Checkpoint.STATE), "{\"epochsDone\": 2, \"step\":");

    assertThat(store.latest().orElseThrow().dir()).isEqualTo(older);
    assertThat(warnings).singleElement().asString().contains("state.json");
  }

  @Test
  void aStateFileThatDisagreesWithItsFolderIsSkippedEvenWithAMatchingManifest() throws IOException {
    rewrite(newest, Checkpoint.STATE, "{\"epochsDone\":7,\"step\":70,\"seed\":42}".getBytes(StandardCharsets.UTF_8));

    assertThat(store.latest().orElseThrow().dir()).isEqualTo(older);
    assertThat(warnings).singleElement().asString().contains("says epoch 7 step 70 but the folder is named ckpt-e00002");
  }

  @Test
  void aMissingGarbledOrOverreachingManifestIsSkipped() throws IOException {
    Path manifest = newest.resolve(CheckpointManifest.FILE);
    Files.delete(manifest);
    assertThat(store.latest().orElseThrow().dir()).isEqualTo(older);

    Files.writeString(manifest, "\u0000\u0013garbage{");
    assertThat(store.latest().orElseThrow().dir()).isEqualTo(older);

    // a manifest may only vouch for the checkpoint's own files
    Files.writeString(manifest, Files.readString(older.resolve(CheckpointManifest.FILE))
        .replace("\"optimizer.bin\"", "\"../../optimizer.bin\""));
    assertThat(store.latest().orElseThrow().dir()).isEqualTo(older);

    assertThat(warnings).hasSize(3);
    assertThat(warnings.get(0)).contains("manifest.json", "missing");
    assertThat(warnings.get(1)).contains("manifest.json", "unreadable");
    assertThat(warnings.get(2)).contains("manifest.json", "'../../optimizer.bin'");
  }

  @Test
  void whenEveryCheckpointIsCorruptTheRunStartsOverAndSaysSo() throws IOException {
    Files.delete(older.resolve(Checkpoint.OPTIMIZER));
    Files.writeString(newest.resolve(Checkpoint.OPTIMIZER), "x");

    assertThat(store.latest()).isEmpty();
    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(1)).contains("optimizer.bin", "missing", "starting from step 0");
  }

  @Test
  void lengthsInTheOptimizerFileAreCheckedBeforeAnythingIsAllocated() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(1);
      out.writeUTF("0.weight.momentum");
      out.writeInt(Integer.MAX_VALUE - 8); // would be a 2 GiB array
      out.write(new byte[16]);
    }
    rewrite(newest, Checkpoint.OPTIMIZER, bytes.toByteArray());
    Checkpoint checkpoint = Checkpoint.verified(newest); // the checksum vouches for these bytes

    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> checkpoint.optimizerState(manager))
          .isInstanceOf(Checkpoint.CheckpointException.class)
          .hasMessageContaining("optimizer.bin: entry 0 claims 2147483639 bytes, only 16 are left");
    }

    ByteArrayOutputStream count = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(count)) {
      out.writeInt(Integer.MAX_VALUE);
    }
    rewrite(newest, Checkpoint.OPTIMIZER, count.toByteArray());
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> Checkpoint.verified(newest).optimizerState(manager))
          .hasMessageContaining("2147483647 entries cannot fit in 0 bytes");
    }
  }

  @Test
  void leftoversOfADeadWriterAreRemovedAtStartAndNeverResumedFrom() throws IOException {
    Path leftover = Files.createDirectories(dir.resolve(".tmp-ckpt-e00003-s0000000030-123"));
    Files.write(leftover.resolve(Checkpoint.PARAMETERS), new byte[100]);

    assertThat(store.latest().orElseThrow().dir()).isEqualTo(newest);
    assertThat(store.removeLeftovers()).isEqualTo(1);
    assertThat(leftover).doesNotExist();
    assertThat(warnings).singleElement().asString().contains("removed", ".tmp-ckpt-e00003");
    assertThat(store.folders()).containsExactly(older, newest);
  }

  @Test
  void resumeAfterAFallbackReplacesTheAbandonedNewerCheckpoint() throws IOException {
    Files.writeString(newest.resolve(Checkpoint.STATE), "{}");
    assertThat(store.latest().orElseThrow().dir()).isEqualTo(older);
    Path third;
    try (NDManager manager = NDManager.newBaseManager()) {
      // training from epoch 1 writes epoch 2 again, then the abandoned timeline's later names go
      store.save(new TrainingState(2, 20, 42), CheckpointStoreTest.tinyNet(manager, 2), Map.of());
      assertThat(store.latest().orElseThrow().dir()).isEqualTo(newest);
      Files.createDirectories(dir.resolve("ckpt-e00009-s0000000090"));
      third = store.save(new TrainingState(3, 30, 42), CheckpointStoreTest.tinyNet(manager, 3), Map.of());
    }
    assertThat(store.folders()).containsExactly(older, newest, third);
  }

  /** Replaces one file and updates the manifest as the writer would have: only the content is wrong. */
  private static void rewrite(Path checkpoint, String file, byte[] bytes) throws IOException {
    Files.write(checkpoint.resolve(file), bytes);
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String name : List.of(Checkpoint.PARAMETERS, Checkpoint.OPTIMIZER, Checkpoint.STATE)) {
      files.put(name, Files.readAllBytes(checkpoint.resolve(name)));
    }
    Files.write(checkpoint.resolve(CheckpointManifest.FILE), CheckpointManifest.of(files).encode());
  }

  static List<String> names(Path folder) throws IOException {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
