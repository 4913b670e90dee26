package dev.contrastive.trainer.metrics;

import ai.djl.Device;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The registry of one trainer process: every series labelled with the run and the rank. */
public final class TrainerRegistry {

  private TrainerRegistry() {}

  public static PrometheusMeterRegistry create(String run, int rank) {
    return create(run, rank, Device.cpu());
  }

  /** As {@link #create(String, int)}, with the memory of {@code device} where it is a GPU. */
  public static PrometheusMeterRegistry create(String run, int rank, Device device) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("run", run, "rank", Integer.toString(rank));
    new ProcessMemoryMetrics().bindTo(registry);
    new DeviceMemoryMetrics(device).bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }
}
