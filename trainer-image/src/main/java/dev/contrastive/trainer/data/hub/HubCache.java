package dev.contrastive.trainer.data.hub;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.contrastive.trainer.data.DataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A data set repository in the Hugging Face cache, laid out as {@code huggingface_hub} lays it out,
 * so that either fills it for the other: {@code datasets--owner--name/} with {@code blobs/<etag>}
 * (the SHA-256 of an LFS file), {@code snapshots/<commit>/<path>} (links to the blobs) and {@code
 * refs/<revision>} (the commit a branch or tag pointed at when last downloaded). Beside them, {@code
 * contrastive/<commit>.json} lists the repository's Parquet files at that commit once a download
 * finished, so a later offline run knows which files a split has.
 */
final class HubCache {

  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path repo;

  HubCache(Path hubCache, String repoId) {
    this.repo = hubCache.resolve("datasets--" + repoId.replace("/", "--"));
  }

  Path dir() {
    return repo;
  }

  Path blob(String etag) {
    return repo.resolve("blobs").resolve(etag);
  }

  Path snapshot(String commit) {
    return repo.resolve("snapshots").resolve(commit);
  }

  /** The lock file downloads of this repository take. */
  Path lockFile() {
    return repo.resolve(".download.lock");
  }

  /** The downloader's latest progress line, for the processes waiting for it. */
  Path progressFile() {
    return repo.resolve(".download.progress");
  }

  /** The commit {@code revision} resolved to at the last download (a commit id is itself). */
  Optional<String> commitOf(String revision) {
    if (COMMIT.matcher(revision).matches()) {
      return Optional.of(revision);
    }
    Path ref = repo.resolve("refs").resolve(revision);
    try {
      return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref).strip()) : Optional.empty();
    } catch (IOException e) {
      throw new DataException(ref + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  void writeRef(String revision, String commit) throws IOException {
    if (!COMMIT.matcher(revision).matches()) {
      Path ref = repo.resolve("refs").resolve(revision);
      Files.createDirectories(ref.getParent());
      write(ref, commit);
    }
  }

  /** Points {@code snapshots/<commit>/<path>} at a blob (a relative link, a copy where links fail). */
  Path link(String commit, String path, String etag) throws IOException {
    Path target = snapshot(commit).resolve(path);
    Files.createDirectories(target.getParent());
    Files.deleteIfExists(target);
    try {
      Files.createSymbolicLink(target, target.getParent().relativize(blob(etag)));
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(blob(etag), target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }

  /** The Parquet files of the repository at {@code commit}, recorded when a download finished. */
  Optional<List<String>> parquetFiles(String commit) {
    Path manifest = manifest(commit);
    if (!Files.isRegularFile(manifest)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(manifest.toFile(), new TypeReference<List<String>>() {}));
    } catch (IOException e) {
      throw new DataException(manifest + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  void writeParquetFiles(String commit, List<String> paths) throws IOException {
    Files.createDirectories(manifest(commit).getParent());
    write(manifest(commit), JSON.writeValueAsString(paths));
  }

  /** Parquet files present in a snapshot (one filled by other tools, without our list). */
  List<String> parquetFilesIn(String commit) {
    Path snapshot = snapshot(commit);
    if (!Files.isDirectory(snapshot)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(snapshot)) {
      return files.filter(f -> SplitFiles.isParquet(f.toString()) && Files.isRegularFile(f))
          .map(f -> snapshot.relativize(f).toString().replace('\\', '/'))
          .sorted()
          .toList();
    } catch (IOException | UncheckedIOException e) {
      throw new DataException(snapshot + ": cannot list (" + e.getMessage() + ")", e);
    }
  }

  private Path manifest(String commit) {
    return repo.resolve("contrastive").resolve(commit + ".json");
  }

  /** Writes through a temporary file, so a reader never sees half a file. */
  private static void write(Path file, String content) throws IOException {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temporary, content);
    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
