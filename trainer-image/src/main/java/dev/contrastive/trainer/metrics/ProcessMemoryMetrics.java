package dev.contrastive.trainer.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of the whole process, libtorch's native tensors included (the JVM's own
 * memory metrics see only the heap and the JVM's off-heap pools): VmRSS and its peak VmHWM from
 * /proc/self/status, under the names other Prometheus clients use.
 */
final class ProcessMemoryMetrics implements MeterBinder {

  private static final Path STATUS = Path.of("/proc/self/status");

  @Override
  public void bindTo(MeterRegistry registry) {
    if (!Files.isReadable(STATUS)) {
      return; // not Linux: the JVM metrics are all there is
    }
    Gauge.builder("process.resident.memory", () -> kibibytes("VmRSS:") * 1024.0).baseUnit("bytes")
        .description("resident set size of the process (JVM and native memory)").register(registry);
    Gauge.builder("process.resident.memory.peak", () -> kibibytes("VmHWM:") * 1024.0).baseUnit("bytes")
        .description("peak resident set size of the process").register(registry);
  }

  private static double kibibytes(String field) {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }
}
