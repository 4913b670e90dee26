package dev.contrastive.trainer.cli;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.MemoryUsage;
import java.util.function.Function;

/**
 * The most memory this process's GPU had in use at any sample, as the CUDA runtime reports it
 * (cudaMemGetInfo: total minus free, so the CUDA context and PyTorch's cached blocks count; with
 * one process per GPU that is this process). Nothing on the CPU: there is no device memory.
 */
final class DevicePeakMemory {

  private final Device device;
  private final Function<Device, MemoryUsage> reader;
  private long peakBytes = -1;

  DevicePeakMemory(Device device) {
    this(device, CudaUtils::getGpuMemory);
  }

  DevicePeakMemory(Device device, Function<Device, MemoryUsage> reader) {
    this.device = device;
    this.reader = reader;
  }

  /** Reads the device's use now; call after each step. */
  void sample() {
    if (Device.Type.GPU.equals(device.getDeviceType())) {
      peakBytes = Math.max(peakBytes, reader.apply(device).getUsed());
    }
  }

  /** The peak in MiB, or NaN on the CPU (no samples). */
  double peakMiB() {
    return peakBytes < 0 ? Double.NaN : peakBytes / (1024.0 * 1024.0);
  }

  /** The bench line's value: whole MiB, or {@code n/a} where there is no device memory. */
  static String format(double mib) {
    return Double.isNaN(mib) ? "n/a" : Long.toString(Math.round(mib));
  }
}
