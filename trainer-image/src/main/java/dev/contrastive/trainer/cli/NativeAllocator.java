package dev.contrastive.trainer.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Which malloc serves libtorch in this process: benchmark lines name it, and training says when
 * the slower glibc malloc is in use (see {@code scripts/with-tcmalloc}).
 */
final class NativeAllocator {

  static final String GLIBC = "glibc";

  private NativeAllocator() {}

  /** "tcmalloc", "jemalloc" or "glibc", from the libraries mapped into this process. */
  static String inUse() {
    try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
      return fromMappedLibraries(maps);
    } catch (IOException | RuntimeException e) {
      return GLIBC; // no /proc (not Linux): the platform's own malloc
    }
  }

  /** The allocator named by lines of {@code /proc/<pid>/maps}. */
  static String fromMappedLibraries(Stream<String> maps) {
    return maps.map(NativeAllocator::allocatorOf).filter(name -> !name.equals(GLIBC)).findFirst().orElse(GLIBC);
  }

  private static String allocatorOf(String mapsLine) {
    int slash = mapsLine.lastIndexOf('/');
    String file = slash < 0 ? "" : mapsLine.substring(slash + 1);
    if (file.startsWith("libtcmalloc")) {
      return "tcmalloc";
    }
    return file.startsWith("libjemalloc") ? "jemalloc" : GLIBC;
  }
}
