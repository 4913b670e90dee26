package dev.contrastive.trainer.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostTransferTest {

  @Test
  void autoIsZeroCopyOnTheCpuAndStagingOnAGpu() {
    assertThat(HostTransfer.choose("auto", Device.cpu())).isEqualTo(HostTransfer.ZERO_COPY);
    assertThat(HostTransfer.choose(null, Device.cpu())).isEqualTo(HostTransfer.ZERO_COPY);
    assertThat(HostTransfer.choose("auto", Device.gpu(1))).isEqualTo(HostTransfer.STAGING);
    assertThat(HostTransfer.fromEnvironment(Map.of(), Device.gpu())).isEqualTo(HostTransfer.STAGING);
    assertThat(HostTransfer.fromEnvironment(Map.of(HostTransfer.VARIABLE, "staging"), Device.cpu()))
        .isEqualTo(HostTransfer.STAGING);
  }

  @Test
  void zeroCopyOnAGpuAndUnknownValuesAreRefusedNamingTheVariable() {
    assertThatThrownBy(() -> HostTransfer.choose("zero-copy", Device.gpu(0)))
        .hasMessage("CONTRASTIVE_HOST_TRANSFER=zero-copy is only correct on the CPU, and this"
            + " process runs on gpu(0); use auto or staging");
    assertThatThrownBy(() -> HostTransfer.choose("pinned", Device.cpu()))
        .hasMessage("CONTRASTIVE_HOST_TRANSFER=pinned is not allowed; use auto, zero-copy or staging");
  }

  @Test
  void stagingCopiesOutAndWritesBackInPlaceWithoutLeavingArrays() {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      NDArray tensor = manager.arange(12f).reshape(3, 4);
      int before = manager.getManagedArrays().size();
      ByteBuffer host = ByteBuffer.allocateDirect(12 * Float.BYTES).order(ByteOrder.nativeOrder());

      try (NDManager scope = manager.newSubManager()) {
        TensorWindow window = HostTransfer.STAGING.window("w", tensor, scope);
        assertThat(window.byteSize()).isEqualTo(48);
        window.read(0, host.slice(0, 48));
        // a real copy: changing the host bytes does not touch the tensor until written back
        host.putFloat(4, 100f);
        assertThat(tensor.getFloat(0, 1)).isEqualTo(1f);
        // a slice of the middle, as when a tensor spans two buckets
        ByteBuffer middle = host.slice(16, 16).order(ByteOrder.nativeOrder());
        middle.putFloat(0, -4f).putFloat(12, -7f);
        window.write(16, middle);
        window.write(0, host.slice(0, 8));
      }

      assertThat(tensor.toFloatArray())
          .containsExactly(0f, 100f, 2f, 3f, -4f, 5f, 6f, -7f, 8f, 9f, 10f, 11f);
      assertThat(tensor.getManager()).isSameAs(manager);
      assertThat(tensor.getShape()).isEqualTo(new Shape(3, 4));
      assertThat(manager.getManagedArrays()).hasSize(before);
    }
  }

  @Test
  void stagingWritesIntoTheGradientThatTheParameterKeeps() {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      NDArray weight = manager.ones(new Shape(5));
      weight.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        collector.backward(weight.mul(3f).sum()); // the gradient exists only after a backward
      }
      ByteBuffer host = ByteBuffer.allocateDirect(20).order(ByteOrder.nativeOrder());
      for (int i = 0; i < 5; i++) {
        host.putFloat(i * 4, i + 0.5f);
      }
      try (NDManager scope = manager.newSubManager();
          NDArray gradient = weight.getGradient()) {
        HostTransfer.STAGING.window("weight", gradient, scope).write(0, host);
      }
      try (NDArray gradient = weight.getGradient()) {
        assertThat(gradient.toFloatArray()).containsExactly(0.5f, 1.5f, 2.5f, 3.5f, 4.5f);
      }
      // the parameter itself, a leaf that requires a gradient, can be overwritten in place too
      try (NDManager scope = manager.newSubManager()) {
        HostTransfer.STAGING.window("weight", weight, scope).write(0, host);
      }
      assertThat(weight.toFloatArray()).containsExactly(0.5f, 1.5f, 2.5f, 3.5f, 4.5f);
    }
  }
}
