package dev.contrastive.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.MemoryUsage;
import org.junit.jupiter.api.Test;

/** A GPU process reports its device's memory; a CPU process has no such series; a failing read is NaN. */
class DeviceMemoryMetricsTest {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void aGpuProcessReportsUsedAndTotalMemoryOfItsDevice() {
    new DeviceMemoryMetrics(Device.gpu(1), d -> new MemoryUsage(-1, 3L << 30, 3L << 30, 80L << 30)).bindTo(registry);

    assertThat(registry.scrape()).contains(
        "contrastive_train_device_memory_used_bytes{device=\"gpu1\"} 3.221225472E9",
        "contrastive_train_device_memory_total_bytes{device=\"gpu1\"} 8.589934592E10");
  }

  @Test
  void aCpuProcessHasNoDeviceMemorySeries() {
    new DeviceMemoryMetrics(Device.cpu(), d -> {
      throw new AssertionError("a CPU process must not ask CUDA");
    }).bindTo(registry);

    assertThat(registry.scrape()).doesNotContain("device_memory");
  }

  @Test
  void aReadTheRuntimeCannotAnswerIsNanNotAFailedScrape() {
    new DeviceMemoryMetrics(Device.gpu(0), d -> {
      throw new IllegalArgumentException("no CUDA runtime");
    }).bindTo(registry);

    assertThat(registry.scrape()).contains("contrastive_train_device_memory_used_bytes{device=\"gpu0\"} NaN");
  }
}
