package dev.contrastive.trainer.device;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Locale;
import java.util.Map;

/**
 * How a tensor's values cross between its device and the host buffers the ring sends.
 *
 * <p>{@link #ZERO_COPY} reads and writes through {@code toByteBuffer(true)}, which is a view of
 * the tensor's memory only on the CPU: for a CUDA tensor DJL copies it to the host first, so a
 * write through that "view" lands in a temporary and the real tensor never changes. {@link
 * #STAGING} copies device to host into the caller's buffer and back with in-place tensor copies
 * (index-put, PyTorch's {@code copy_}), which is correct on any device. {@code auto} picks
 * zero-copy on the CPU and staging anywhere else; staging can be forced on the CPU so every test
 * runs the GPU's code path here.
 */
public enum HostTransfer {
  ZERO_COPY("zero-copy"),
  STAGING("staging");

  /** The environment variable that chooses: {@code auto} (default), zero-copy or staging. */
  public static final String VARIABLE = "CONTRASTIVE_HOST_TRANSFER";

  private final String setting;

  HostTransfer(String setting) {
    this.setting = setting;
  }

  /** The value of {@link #VARIABLE} that selects this path. */
  public String setting() {
    return setting;
  }

  /** The path {@link #VARIABLE} asks for, for tensors on {@code device}. */
  public static HostTransfer fromEnvironment(Map<String, String> env, Device device) {
    return choose(env.getOrDefault(VARIABLE, "auto"), device);
  }

  /**
   * Resolves a setting; refuses zero-copy off the CPU, where it would silently exchange copies.
   *
   * @throws PlacementException naming the variable and the allowed values
   */
  public static HostTransfer choose(String value, Device device) {
    String setting = value == null ? "auto" : value.trim().toLowerCase(Locale.ROOT);
    boolean cpu = isCpu(device);
    switch (setting) {
      case "", "auto":
        return cpu ? ZERO_COPY : STAGING;
      case "staging":
        return STAGING;
      case "zero-copy":
        if (!cpu) {
          throw new PlacementException(VARIABLE + "=zero-copy is only correct on the CPU, and"
              + " this process runs on " + device + "; use auto or staging");
        }
        return ZERO_COPY;
      default:
        throw new PlacementException(
            VARIABLE + "=" + value + " is not allowed; use auto, zero-copy or staging");
    }
  }

  /**
   * The bytes of {@code array} as the exchange sees them. Arrays the window creates while copying
   * belong to {@code scope} (a manager on the array's device that the caller closes after the
   * exchange), so nothing is left attached to the model's manager: DJL attaches the host copies
   * it makes for a GPU tensor to the tensor's own manager, which would grow every step.
   *
   * @param name how errors name the tensor
   * @param array a float32 tensor; for staging it is attached to {@code scope} until it closes
   */
  public TensorWindow window(String name, NDArray array, NDManager scope) {
    if (array.getDataType() != DataType.FLOAT32) {
      throw new IllegalStateException(
          "parameter " + name + " is " + array.getDataType() + "; only float32 is exchanged");
    }
    if (this == ZERO_COPY) {
      if (!isCpu(array.getDevice())) {
        throw new IllegalStateException("a zero-copy view of " + name + " was asked for, but it"
            + " lives on " + array.getDevice() + ", where DJL would hand out a copy");
      }
      return new ZeroCopyWindow(array);
    }
    return new StagedWindow(array, scope);
  }

  static boolean isCpu(Device device) {
    return Device.Type.CPU.equals(device.getDeviceType());
  }
}
