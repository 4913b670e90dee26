package dev.contrastive.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run's checkpoints, one sub-folder each (see {@link RunCheckpointFolder} for whose folder).
 * A checkpoint is written into a temporary folder, every file and the folder fsynced, then renamed
 * into place and the parent fsynced: after a crash the name points at complete data or at nothing.
 * Each carries a manifest of SHA-256 sums; resume takes the newest that verifies and warns about
 * any it skips. Only the newest {@code keep} are kept.
 */
public final class CheckpointStore {

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
  private static final Pattern NAME = Pattern.compile("ckpt-e(\\d{5})-s(\\d{10})");
  private static final String TEMP_PREFIX = ".tmp-";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Room left beside a checkpoint for the manifest and file system overhead. */
  private static final long HEADROOM_BYTES = 1 << 20;

  private final Path root;
  private final int keep;
  private final CheckpointVolume volume;
  private final Consumer<String> warnings;

  public CheckpointStore(Path root, int keep) {
    this(root, keep, CheckpointVolume.LOCAL, LOG::warn);
  }

  /** As above, telling {@code warnings} about skipped (corrupt) checkpoints and removed leftovers. */
  public CheckpointStore(Path root, int keep, Consumer<String> warnings) {
    this(root, keep, CheckpointVolume.LOCAL, warnings);
  }

  CheckpointStore(Path root, int keep, CheckpointVolume volume, Consumer<String> warnings) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep at least one checkpoint, got " + keep);
    }
    this.root = root;
    this.keep = keep;
    this.volume = volume;
    this.warnings = warnings;
  }

  public Path root() {
    return root;
  }

  static String folderName(TrainingState state) {
    return String.format("ckpt-e%05d-s%010d", state.epochsDone(), state.step());
  }

  /**
   * Removes the temporary folders of writers that died mid-write. Only this run's writer (rank 0)
   * writes here, so at its start every temporary folder is a leftover. Returns how many it removed.
   */
  public int removeLeftovers() {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    int removed = 0;
    for (Path leftover : entries(p -> p.getFileName().toString().startsWith(TEMP_PREFIX))) {
      try {
        deleteTree(leftover);
        removed++;
        warnings.accept("removed " + leftover + ", left by a checkpoint write that did not finish");
      } catch (IOException e) {
        warnings.accept("cannot remove " + leftover + " (left by an unfinished checkpoint write): " + e.getMessage());
      }
    }
    return removed;
  }

  /** Writes a checkpoint of the block's parameters and the optimizer state, then prunes old ones. */
  public Path save(TrainingState state, Block block, Map<String, NDArray> optimizerState) throws IOException {
    return write(CheckpointSnapshot.of(state, block, optimizerState));
  }

  /**
   * Writes {@code snapshot} durably and prunes. When the volume has too little room, checkpoints
   * this write would prune anyway go first (never the newest one before the new one is complete).
   *
   * @throws CheckpointVolumeFullException when it still does not fit, or the disk fills meanwhile
   */
  public Path write(CheckpointSnapshot snapshot) throws IOException {
    Files.createDirectories(root);
    String name = snapshot.name();
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(Checkpoint.PARAMETERS, snapshot.parameters());
    files.put(Checkpoint.OPTIMIZER, snapshot.optimizer());
    files.put(Checkpoint.STATE, JSON.writeValueAsBytes(snapshot.state()));
    byte[] manifest = CheckpointManifest.of(files).encode();
    long needed = files.values().stream().mapToLong(b -> b.length).sum() + manifest.length;
    makeRoom(name, needed);
    Path tmp = Files.createTempDirectory(root, TEMP_PREFIX + name + "-");
    try {
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        volume.writeFile(tmp.resolve(file.getKey()), file.getValue());
      }
      volume.writeFile(tmp.resolve(CheckpointManifest.FILE), manifest); // last: it vouches for the rest
      volume.syncFolder(tmp);
      Path target = root.resolve(name);
      if (Files.exists(target)) {
        deleteTree(target); // same epoch and step written again after a restart: the new one is as good
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      volume.syncFolder(root);
      prune(name);
      return target;
    } catch (IOException | RuntimeException e) {
      deleteQuietly(tmp);
      if (e instanceof IOException io && isDiskFull(io)) {
        throw new CheckpointVolumeFullException(root + ": the checkpoint volume filled up while writing " + name
            + " (" + mib(needed) + " MiB): " + ADVICE, io);
      }
      throw e;
    }
  }

  /**
   * The newest checkpoint that verifies (manifest, sizes, SHA-256, counters). Each newer one that
   * does not is reported to the warnings and skipped, so a torn newest write costs one interval
   * of training instead of the run.
   */
  public Optional<Checkpoint> latest() {
    return latest(skipped -> {});
  }

  /** As {@link #latest()}, also handing each skipped checkpoint's warning to {@code skipped}. */
  public Optional<Checkpoint> latest(Consumer<String> skipped) {
    List<Path> folders = folders();
    for (int i = folders.size() - 1; i >= 0; i--) {
      try {
        return Optional.of(Checkpoint.verified(folders.get(i)));
      } catch (Checkpoint.CheckpointException e) {
        String warning = "skipping corrupt checkpoint " + folders.get(i).getFileName() + ": " + e.getMessage()
            + (i > 0 ? "; using the one before it" : "; no older checkpoint is left, starting from step 0");
        warnings.accept(warning);
        skipped.accept(warning);
      }
    }
    return Optional.empty();
  }

  /** Checkpoint folders by name (epoch, then step), oldest first; not yet verified. */
  public List<Path> folders() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    return entries(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p));
  }

  /** Checks that the volume can take {@code needed} more bytes, removing what prune would remove. */
  private void makeRoom(String name, long needed) throws IOException {
    long usable = volume.usableBytes(root);
    if (usable >= needed + HEADROOM_BYTES) {
      return;
    }
    List<Path> doomed = new ArrayList<>();
    List<Path> older = new ArrayList<>();
    for (Path folder : folders()) {
      (folder.getFileName().toString().compareTo(name) >= 0 ? doomed : older).add(folder);
    }
    // keep the newest older one even when keep == 1: it is the fallback until the new one is complete
    int spare = Math.max(keep - 1, 1);
    doomed.addAll(0, older.subList(0, Math.max(0, older.size() - spare)));
    int removed = 0;
    for (Path folder : doomed) {
      if (usable >= needed + HEADROOM_BYTES) {
        break;
      }
      deleteTree(folder);
      removed++;
      usable = volume.usableBytes(root);
    }
    if (removed > 0) {
      warnings.accept("removed " + removed + " older checkpoint(s) early to make room for " + name);
    }
    if (usable < needed + HEADROOM_BYTES) {
      throw new CheckpointVolumeFullException(root + ": the checkpoint volume has " + mib(usable) + " MiB free but "
          + name + " needs " + mib(needed + HEADROOM_BYTES) + " MiB: " + ADVICE, null);
    }
  }

  private static final String ADVICE = "free or enlarge the volume, or lower trainer.keepCheckpoints";

  /** Keeps the newest {@code keep} up to {@code newest}; later names belong to a timeline resume abandoned. */
  private void prune(String newest) throws IOException {
    List<Path> kept = new ArrayList<>();
    for (Path folder : folders()) {
      int order = folder.getFileName().toString().compareTo(newest);
      if (order > 0) {
        deleteTree(folder);
      } else {
        kept.add(folder);
      }
    }
    for (int i = 0; i < kept.size() - keep; i++) {
      deleteTree(kept.get(i));
    }
  }

  private List<Path> entries(java.util.function.Predicate<Path> filter) {
    try (Stream<Path> entries = Files.list(root)) {
      return entries.filter(filter).sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(root + ": cannot list checkpoints: " + e.getMessage(), e);
    }
  }

  private static boolean isDiskFull(IOException e) {
    String message = String.valueOf(e.getMessage());
    return message.contains("No space left on device") || message.contains("Disk quota exceeded");
  }

  private static long mib(long bytes) {
    return (bytes + (1 << 20) - 1) >> 20;
  }

  private static void deleteQuietly(Path dir) {
    try {
      deleteTree(dir);
    } catch (IOException ignored) {
      // the write already failed; a leftover temp folder is removed at the next start
    }
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

  /** The checkpoint does not fit on the volume: one line that says what to do. */
  public static final class CheckpointVolumeFullException extends IOException {
    CheckpointVolumeFullException(String message, IOException cause) {
      super(message, cause);
    }
  }
}
