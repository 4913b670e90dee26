package dev.contrastive.trainer.data.hub;

import java.util.Locale;

/**
 * How far a data set's download is: files and bytes of the splits a run needs (those already in
 * the cache count as done), and the rate of this download.
 *
 * @param bytesPerSecond over this process's download so far; 0 before any byte arrived
 */
public record DownloadProgress(
    String repo, int filesDone, int filesTotal, long bytesDone, long bytesTotal, double bytesPerSecond) {

  /** One line for the log and status.message, e.g. {@code downloading 12/294 shards, 31 GB of 155 GB, ...}. */
  public String message() {
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "downloading %s: %d/%d shards, %s of %s",
        repo, filesDone, filesTotal, size(bytesDone), size(bytesTotal)));
    if (bytesPerSecond > 0 && bytesDone < bytesTotal) {
      long seconds = (long) Math.ceil((bytesTotal - bytesDone) / bytesPerSecond);
      line.append(", ").append(size((long) bytesPerSecond)).append("/s, ").append(duration(seconds)).append(" left");
    }
    return line.toString();
  }

  static String size(long bytes) {
    if (bytes >= 10_000_000_000L) {
      return String.format(Locale.ROOT, "%d GB", Math.round(bytes / 1e9));
    }
    if (bytes >= 1_000_000_000L) {
      return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
    }
    if (bytes >= 1_000_000L) {
      return String.format(Locale.ROOT, "%d MB", Math.round(bytes / 1e6));
    }
    if (bytes >= 1_000L) {
      return String.format(Locale.ROOT, "%d kB", Math.round(bytes / 1e3));
    }
    return bytes + " B";
  }

  static String duration(long seconds) {
    if (seconds >= 3600) {
      return String.format(Locale.ROOT, "%d h %02d min", seconds / 3600, (seconds % 3600) / 60);
    }
    if (seconds >= 60) {
      return String.format(Locale.ROOT, "%d min", (seconds + 59) / 60);
    }
    return seconds + " s";
  }
}
