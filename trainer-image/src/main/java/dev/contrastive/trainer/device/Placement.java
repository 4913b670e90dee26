package dev.contrastive.trainer.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * Where this training process computes, and how its tensors reach the ring: the one place that
 * decides, so data, model, evaluation, the kNN bank and checkpoints all follow it.
 *
 * <p>A process uses GPU {@code LOCAL_RANK} when the engine sees GPUs, like torchrun + DDP's
 * {@code torch.cuda.set_device(local_rank)}. The node launcher narrows each child's {@code
 * CUDA_VISIBLE_DEVICES} to its own GPU, so a child sees one GPU, {@code gpu(0)}, and even DJL's
 * default device is the right one. Without GPUs every process is on the CPU.
 */
public record Placement(Device device, HostTransfer transfer) {

  public static final String LOCAL_RANK = "LOCAL_RANK";

  /** The CPU with the zero-copy path: tests and single-process tools. */
  public static Placement cpu() {
    return new Placement(Device.cpu(), HostTransfer.ZERO_COPY);
  }

  /** This process's placement: the engine's GPUs, LOCAL_RANK and CONTRASTIVE_HOST_TRANSFER. */
  public static Placement fromEnvironment(Map<String, String> env) {
    return choose(Engine.getInstance().getGpuCount(), localRank(env), env.get(HostTransfer.VARIABLE));
  }

  /**
   * @param visibleGpus GPUs the engine sees (0 on a CPU build or machine)
   * @param localRank this process's index on its node
   * @param transfer the CONTRASTIVE_HOST_TRANSFER setting, or null for auto
   */
  public static Placement choose(int visibleGpus, int localRank, String transfer) {
    Device device;
    if (visibleGpus == 0) {
      device = Device.cpu();
    } else if (visibleGpus == 1) {
      device = Device.gpu(0); // narrowed by the launcher, or a one-GPU machine
    } else if (localRank < visibleGpus) {
      device = Device.gpu(localRank);
    } else {
      throw new PlacementException(LOCAL_RANK + "=" + localRank + " but this process sees only "
          + visibleGpus + " GPUs; start at most one process per GPU (resources.gpusPerNode)");
    }
    return new Placement(device, HostTransfer.choose(transfer, device));
  }

  /** A new root manager on this process's device. */
  public NDManager newManager() {
    return NDManager.newBaseManager(device);
  }

  public boolean isGpu() {
    return !HostTransfer.isCpu(device);
  }

  /** For logs, e.g. {@code gpu(1), staging}. */
  public String describe() {
    return device + ", " + transfer.setting() + " host transfer";
  }

  private static int localRank(Map<String, String> env) {
    String value = env.get(LOCAL_RANK);
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      int rank = Integer.parseInt(value.trim());
      if (rank >= 0) {
        return rank;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new PlacementException(
        "environment variable " + LOCAL_RANK + " must be an integer >= 0, got '" + value + "'");
  }
}
