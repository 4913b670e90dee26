package dev.contrastive.trainer.metrics;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.management.MemoryUsage;
import java.util.function.Function;

/**
 * Memory of this process's GPU as the CUDA runtime reports it (cudaMemGetInfo through DJL's
 * CudaUtils, as DJL's own MemoryTrainingListener reads it): used (total minus free, so the CUDA
 * context and any other process on the GPU count too) and total. Nothing on a CPU process.
 */
final class DeviceMemoryMetrics implements MeterBinder {

  private final Device device;
  private final Function<Device, MemoryUsage> reader;

  DeviceMemoryMetrics(Device device) {
    this(device, CudaUtils::getGpuMemory);
  }

  DeviceMemoryMetrics(Device device, Function<Device, MemoryUsage> reader) {
    this.device = device;
    this.reader = reader;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    if (!Device.Type.GPU.equals(device.getDeviceType())) {
      return;
    }
    String name = device.getDeviceType() + device.getDeviceId();
    Gauge.builder(TrainerMetrics.PREFIX + "device.memory.used", () -> read(MemoryUsage::getUsed)).baseUnit("bytes")
        .description("memory in use on this process's GPU (all of its users)").tag("device", name).register(registry);
    Gauge.builder(TrainerMetrics.PREFIX + "device.memory.total", () -> read(MemoryUsage::getMax)).baseUnit("bytes")
        .description("memory of this process's GPU").tag("device", name).register(registry);
  }

  /** NaN when the runtime cannot say (no CUDA library here): a scrape never fails for it. */
  private double read(java.util.function.ToLongFunction<MemoryUsage> value) {
    try {
      return value.applyAsLong(reader.apply(device));
    } catch (RuntimeException | LinkageError e) {
      return Double.NaN;
    }
  }
}
