package dev.contrastive.trainer.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The list of a checkpoint's files with their sizes and SHA-256, written last: a checkpoint whose
 * files do not match it (a torn write, a bit flip, a file truncated by a full disk) is not used.
 */
record CheckpointManifest(int format, List<Entry> files) {

  static final String FILE = "manifest.json";
  static final int FORMAT = 1;
  /** The files every checkpoint has; a manifest that names others is refused. */
  static final Set<String> CONTENT = Set.of(Checkpoint.PARAMETERS, Checkpoint.OPTIMIZER, Checkpoint.STATE);

  private static final int MAX_BYTES = 64 << 10;
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final ObjectMapper JSON = new ObjectMapper();

  record Entry(String name, long bytes, String sha256) {}

  static CheckpointManifest of(Map<String, byte[]> files) {
    return new CheckpointManifest(FORMAT, files.entrySet().stream()
        .map(f -> new Entry(f.getKey(), f.getValue().length, hex(digest().digest(f.getValue()))))
        .toList());
  }

  byte[] encode() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a checkpoint manifest", e);
    }
  }

  /** Reads and checks the manifest of {@code dir} (not yet the files it lists). */
  static CheckpointManifest read(Path dir) {
    Path file = dir.resolve(FILE);
    CheckpointManifest manifest;
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        throw corrupt(file, size + " bytes, more than a manifest's " + MAX_BYTES);
      }
      manifest = JSON.readValue(Files.readAllBytes(file), CheckpointManifest.class);
    } catch (NoSuchFileException e) {
      throw corrupt(file, "missing (the write did not finish)");
    } catch (IOException e) {
      throw corrupt(file, "unreadable: " + firstLine(e));
    }
    if (manifest.format() != FORMAT) {
      throw corrupt(file, "format " + manifest.format() + ", this trainer reads format " + FORMAT);
    }
    Map<String, Entry> byName = new LinkedHashMap<>();
    for (Entry entry : manifest.files() == null ? List.<Entry>of() : manifest.files()) {
      if (entry == null || !CONTENT.contains(entry.name()) || byName.put(entry.name(), entry) != null) {
        throw corrupt(file, "lists " + (entry == null ? "null" : "'" + entry.name() + "'")
            + "; a checkpoint holds each of " + CONTENT + " once");
      }
      if (entry.bytes() < 0 || entry.sha256() == null || !SHA256.matcher(entry.sha256()).matches()) {
        throw corrupt(file, "entry " + entry.name() + " has no valid size and SHA-256");
      }
    }
    if (!byName.keySet().equals(CONTENT)) {
      throw corrupt(file, "lists " + byName.keySet() + ", expected " + CONTENT);
    }
    return manifest;
  }

  /** Checks every listed file's size and SHA-256. */
  void verify(Path dir) {
    for (Entry entry : files) {
      Path file = dir.resolve(entry.name());
      try {
        long size = Files.size(file);
        if (size != entry.bytes()) {
          throw corrupt(file, size + " bytes, the manifest says " + entry.bytes() + " (truncated or torn write)");
        }
        MessageDigest digest = digest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
          for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
          }
        }
        if (!hex(digest.digest()).equals(entry.sha256())) {
          throw corrupt(file, "SHA-256 differs from the manifest's (the file changed after it was written)");
        }
      } catch (NoSuchFileException e) {
        throw corrupt(file, "missing");
      } catch (IOException e) {
        throw corrupt(file, "unreadable: " + firstLine(e));
      }
    }
  }

  long totalBytes() {
    return files.stream().mapToLong(Entry::bytes).sum();
  }

  private static Checkpoint.CheckpointException corrupt(Path file, String why) {
    return new Checkpoint.CheckpointException(file + ": " + why);
  }

  private static String firstLine(Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.lines().findFirst().orElse(message);
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
