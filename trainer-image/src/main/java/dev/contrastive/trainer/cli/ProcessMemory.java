package dev.contrastive.trainer.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Peak resident memory of this process, as {@code ru_maxrss} reports it to the PyTorch reference. */
final class ProcessMemory {

  private ProcessMemory() {}

  /** VmHWM from /proc/self/status in MiB; NaN where there is no /proc (not Linux). */
  static double peakResidentMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }
}
