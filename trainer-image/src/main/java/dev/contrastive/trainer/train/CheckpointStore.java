package dev.contrastive.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints in one folder, one sub-folder each. A checkpoint is written into a temporary folder
 * and renamed into place, so a crash mid-write never leaves a half checkpoint that resume would
 * pick; only the newest {@code keep} are kept.
 */
public final class CheckpointStore {

  private static final Pattern NAME = Pattern.compile("ckpt-e(\\d{5})-s(\\d{10})");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;
  private final int keep;

  public CheckpointStore(Path root, int keep) {
    this.root = root;
    this.keep = keep;
  }

  public Path root() {
    return root;
  }

  /** Writes a checkpoint of the block's parameters and the optimizer state, then prunes old ones. */
  public Path save(TrainingState state, Block block, Map<String, NDArray> optimizerState) throws IOException {
    Files.createDirectories(root);
    String name = String.format("ckpt-e%05d-s%010d", state.epochsDone(), state.step());
    Path tmp = Files.createTempDirectory(root, ".tmp-" + name + "-");
    try {
      try (DataOutputStream out = create(tmp.resolve(Checkpoint.PARAMETERS))) {
        block.saveParameters(out);
      }
      try (DataOutputStream out = create(tmp.resolve(Checkpoint.OPTIMIZER))) {
        out.writeInt(optimizerState.size());
        for (Map.Entry<String, NDArray> entry : optimizerState.entrySet()) {
          byte[] encoded = entry.getValue().encode();
          out.writeUTF(entry.getKey());
          out.writeInt(encoded.length);
          out.write(encoded);
        }
      }
      JSON.writeValue(tmp.resolve(Checkpoint.STATE).toFile(), state);
      Path target = root.resolve(name);
      if (Files.exists(target)) {
        deleteTree(target); // same epoch and step rewritten after a restart: the new one is as good
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      prune();
      return target;
    } catch (IOException | RuntimeException e) {
      deleteTree(tmp);
      throw e;
    }
  }

  /** The newest complete checkpoint, if any. */
  public Optional<Checkpoint> latest() {
    return list().stream().reduce((first, second) -> second);
  }

  /** Complete checkpoints, oldest first. */
  public List<Checkpoint> list() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(root)) {
      return entries
          .filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.isRegularFile(p.resolve(Checkpoint.STATE)))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .map(CheckpointStore::read)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(root + ": cannot list checkpoints: " + e.getMessage(), e);
    }
  }

  private static Checkpoint read(Path dir) {
    try {
      return new Checkpoint(dir, JSON.readValue(dir.resolve(Checkpoint.STATE).toFile(), TrainingState.class));
    } catch (IOException e) {
      throw new Checkpoint.CheckpointException(dir.resolve(Checkpoint.STATE) + ": unreadable: " + e.getMessage(), e);
    }
  }

  private void prune() throws IOException {
    List<Checkpoint> all = list();
    for (int i = 0; i < all.size() - keep; i++) {
      deleteTree(all.get(i).dir());
    }
  }

  private static DataOutputStream create(Path file) throws IOException {
    return new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
