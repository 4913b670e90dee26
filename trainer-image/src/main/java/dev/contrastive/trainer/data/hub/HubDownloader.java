package dev.contrastive.trainer.data.hub;

import dev.contrastive.api.spec.DatasetSpec;
import dev.contrastive.trainer.data.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Brings the Parquet files of a run's two splits into the cache: lists the repository at the
 * revision's current commit (or, for {@code main} without Parquet files, the Hub's
 * refs/convert/parquet branch), then, holding the cache's {@link DownloadLock}, downloads what is
 * missing with resume, checks each file against the SHA-256 the Hub lists for it (the git blob id
 * for small files) and links it into the snapshot. A file that fails its check is fetched again
 * from scratch, twice at most. Progress lines go to {@code progress} at most once per interval;
 * processes waiting for the lock pass on the downloader's latest line.
 */
final class HubDownloader {

  private static final int CHECK_ATTEMPTS = 3;

  private final HubSettings settings;
  private final HubClient client;
  private final Consumer<String> progress;
  private final Duration interval;
  private final Clock clock;

  HubDownloader(HubSettings settings, HubClient client, Consumer<String> progress, Duration interval, Clock clock) {
    this.settings = settings;
    this.client = client;
    this.progress = progress;
    this.interval = interval;
    this.clock = clock;
  }

  /** What the Hub holds at a revision: the commit and its files. */
  private record Listing(String revision, String commit, List<HubFile> files) {
    List<String> parquetPaths() {
      return files.stream().map(HubFile::path).filter(SplitFiles::isParquet).sorted().toList();
    }
  }

  HubSnapshot fetch(DatasetSpec spec) {
    String repo = spec.source;
    String revision = HubDatasets.revision(spec);
    HubCache cache = new HubCache(settings.cache(), repo);
    Listing listing;
    try {
      listing = list(repo, revision, spec);
    } catch (HubUnavailableException e) {
      Optional<HubSnapshot> cached = HubDatasets.cachedDownload(cache, spec);
      if (cached.isPresent()) {
        progress.accept("cannot reach " + settings.endpoint() + " (" + e.getMessage() + "); training from the cached "
            + cached.get().describe() + " at commit " + cached.get().commit());
        return cached.get();
      }
      throw e;
    }
    List<String> parquet = listing.parquetPaths();
    SplitChoice choice = SplitChoice.of(spec, parquet, repo + "@" + listing.revision());
    Map<String, HubFile> byPath = listing.files().stream().collect(Collectors.toMap(HubFile::path, Function.identity()));
    List<HubFile> needed = choice.files().stream().map(byPath::get).toList();
    try {
      // A finished download (files, manifest and ref all written) is read without the lock, so the
      // ranks of a pod whose launcher downloaded do not queue behind each other's checks.
      if (finished(cache, listing, needed, parquet)) {
        announceCached(repo, listing.commit(), needed);
        return new HubSnapshot(repo, listing.revision(), listing.commit(), cache.snapshot(listing.commit()), parquet);
      }
    } catch (IOException e) {
      throw new DataException("Hugging Face cache " + cache.dir() + ": " + e.getMessage(), e);
    }
    try (DownloadLock lock = DownloadLock.acquire(cache.lockFile(), Duration.ofSeconds(2), () -> waiting(cache))) {
      fetchAll(cache, repo, listing.commit(), needed);
      cache.writeParquetFiles(listing.commit(), parquet);
      cache.writeRef(listing.revision(), listing.commit());
    } catch (IOException e) {
      throw new DataException("Hugging Face cache " + cache.dir() + ": " + e.getMessage(), e);
    }
    return new HubSnapshot(repo, listing.revision(), listing.commit(), cache.snapshot(listing.commit()), parquet);
  }

  private Listing list(String repo, String revision, DatasetSpec spec) {
    String commit = client.commit(repo, revision);
    Listing own = new Listing(revision, commit, client.tree(repo, commit));
    if (!"main".equals(revision) || SplitChoice.hasSplit(own.parquetPaths(), spec)) {
      return own;
    }
    try {
      String converted = client.commit(repo, HubDatasets.PARQUET_BRANCH);
      Listing conversion = new Listing(HubDatasets.PARQUET_BRANCH, converted, client.tree(repo, converted));
      return SplitChoice.hasSplit(conversion.parquetPaths(), spec) ? conversion : own;
    } catch (DataException e) {
      return own; // no conversion branch: SplitChoice names the splits the repository has
    }
  }

  private void fetchAll(HubCache cache, String repo, String commit, List<HubFile> files) throws IOException {
    progressFile = cache.progressFile();
    Tally tally = new Tally(repo, files);
    for (HubFile file : files) {
      if (present(cache, commit, file)) {
        tally.cached(file);
      }
    }
    if (tally.complete()) {
      announceCached(repo, commit, files);
      return;
    }
    report(tally, true);
    for (HubFile file : files) {
      if (present(cache, commit, file)) {
        continue;
      }
      Path blob = cache.blob(file.etag());
      if (!(Files.isRegularFile(blob) && Files.size(blob) == file.size())) {
        fetchBlob(cache, repo, commit, file, tally);
      }
      cache.link(commit, file.path(), file.etag());
      tally.fileDone();
      report(tally, false);
    }
    report(tally, true);
  }

  private void fetchBlob(HubCache cache, String repo, String commit, HubFile file, Tally tally) throws IOException {
    Path blob = cache.blob(file.etag());
    Path partial = blob.resolveSibling(blob.getFileName() + ".incomplete");
    Files.createDirectories(blob.getParent());
    tally.resumed(Files.exists(partial) ? Files.size(partial) : 0);
    for (int attempt = 1; ; attempt++) {
      client.download(repo, commit, file, partial, n -> {
        tally.bytes(n);
        report(tally, false);
      });
      String expected = file.sha256() != null ? file.sha256() : file.oid();
      String actual = file.sha256() != null ? sha256(partial) : gitBlobId(partial);
      if (expected.equalsIgnoreCase(actual)) {
        Files.move(partial, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return;
      }
      Files.delete(partial);
      tally.bytes(-file.size());
      String mismatch = file.path() + " of " + repo + ": " + (file.sha256() != null ? "SHA-256" : "git blob id")
          + " " + actual + " is not the " + expected + " the Hub lists";
      if (attempt >= CHECK_ATTEMPTS) {
        throw new HubUnavailableException(mismatch + " (downloaded " + attempt + " times)");
      }
      progress.accept(mismatch + "; downloading it again");
    }
  }

  private boolean finished(HubCache cache, Listing listing, List<HubFile> needed, List<String> parquet)
      throws IOException {
    if (!cache.parquetFiles(listing.commit()).equals(Optional.of(parquet))
        || !cache.commitOf(listing.revision()).equals(Optional.of(listing.commit()))) {
      return false;
    }
    for (HubFile file : needed) {
      if (!present(cache, listing.commit(), file)) {
        return false;
      }
    }
    return true;
  }

  private void announceCached(String repo, String commit, List<HubFile> files) {
    long total = files.stream().mapToLong(HubFile::size).sum();
    progress.accept(repo + ": the " + files.size() + " shards of the two splits (" + DownloadProgress.size(total)
        + ") are in the cache at commit " + commit.substring(0, Math.min(12, commit.length())));
  }

  private boolean present(HubCache cache, String commit, HubFile file) throws IOException {
    Path linked = cache.snapshot(commit).resolve(file.path());
    Path blob = cache.blob(file.etag());
    return Files.isRegularFile(linked) && Files.isRegularFile(blob) && Files.size(blob) == file.size();
  }

  private Instant nextReport = Instant.MIN;

  private void report(Tally tally, boolean now) {
    Instant at = clock.instant();
    if (!now && at.isBefore(nextReport)) {
      return;
    }
    nextReport = at.plus(interval);
    String line = tally.progress(at).message();
    progress.accept(line);
    try {
      Files.writeString(progressFile(), line); // for the processes waiting for the lock
    } catch (IOException e) {
      // they only miss a line
    }
  }

  private Path progressFile;

  private Path progressFile() {
    return progressFile;
  }

  private Instant nextWaitReport = Instant.MIN;

  /** While another process downloads: its latest line, when there is one. */
  private void waiting(HubCache cache) {
    Instant at = clock.instant();
    if (at.isBefore(nextWaitReport)) {
      return;
    }
    nextWaitReport = at.plus(interval);
    String line = "";
    try {
      Path file = cache.progressFile();
      line = Files.isRegularFile(file) ? Files.readString(file).strip() : "";
    } catch (IOException e) {
      // no line to pass on
    }
    progress.accept("waiting for another process" + (line.isEmpty() ? " to download " + cache.dir().getFileName()
        : ", which is " + line));
  }

  static String sha256(Path file) throws IOException {
    return digest(file, "SHA-256", null);
  }

  /** git's blob id: SHA-1 of "blob <size>\0" and the content; what the Hub lists for non-LFS files. */
  static String gitBlobId(Path file) throws IOException {
    return digest(file, "SHA-1", ("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII));
  }

  private static String digest(Path file, String algorithm, byte[] prefix) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is missing from this JDK", e);
    }
    if (prefix != null) {
      digest.update(prefix);
    }
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Files and bytes done; the rate counts only what this process downloaded. */
  private final class Tally {
    private final String repo;
    private final int files;
    private final long total;
    private int filesDone;
    private long bytesDone;
    private long downloaded;
    private final Instant started = clock.instant();

    Tally(String repo, List<HubFile> needed) {
      this.repo = repo;
      this.files = needed.size();
      this.total = needed.stream().mapToLong(HubFile::size).sum();
    }

    void cached(HubFile file) {
      filesDone++;
      bytesDone += file.size();
    }

    /** Bytes of an earlier, interrupted download of this file. */
    void resumed(long n) {
      bytesDone += n;
    }

    void bytes(long n) {
      bytesDone += n;
      downloaded += n;
    }

    void fileDone() {
      filesDone++;
    }

    boolean complete() {
      return filesDone == files;
    }

    DownloadProgress progress(Instant now) {
      double seconds = Duration.between(started, now).toMillis() / 1000.0;
      return new DownloadProgress(repo, filesDone, files, bytesDone, total,
          seconds > 0 && downloaded > 0 ? downloaded / seconds : 0);
    }
  }
}
