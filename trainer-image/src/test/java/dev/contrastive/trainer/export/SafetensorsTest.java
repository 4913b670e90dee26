package dev.contrastive.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

  @TempDir Path dir;

  @Test
  void djlReadsBackEveryTensorWithItsNameShapeAndValues() throws IOException {
    Path file = dir.resolve("t.safetensors");
    Safetensors.write(file, List.of(
        Safetensors.Tensor.f32("b.weight", new long[] {2, 3}, () -> new float[] {1, 2, 3, 4, 5, -6.5f}),
        Safetensors.Tensor.i64Scalar("a.num_batches_tracked", 1L << 40),
        Safetensors.Tensor.f32("a.bias", new long[] {1}, () -> new float[] {0.25f})), Map.of("format", "pt"));

    try (NDManager manager = NDManager.newBaseManager(); InputStream in = Files.newInputStream(file)) {
      NDList list = NDList.decode(manager, in);
      NDArray weight = list.get("b.weight");
      assertThat(weight.getShape()).isEqualTo(new Shape(2, 3));
      assertThat(weight.toFloatArray()).containsExactly(1, 2, 3, 4, 5, -6.5f);
      NDArray batches = list.get("a.num_batches_tracked");
      assertThat(batches.getDataType()).isEqualTo(DataType.INT64);
      assertThat(batches.getShape().dimension()).isZero();
      assertThat(batches.toLongArray()).containsExactly(1L << 40);
      assertThat(list.get("a.bias").toFloatArray()).containsExactly(0.25f);
    }
    assertThat(Safetensors.readMetadata(file)).containsExactly(Map.entry("format", "pt"));
  }

  @Test
  void headerIsPaddedAndEveryTensorAlignedToItsElementSize() throws IOException {
    Path file = dir.resolve("aligned.safetensors");
    Safetensors.write(file, List.of(
        Safetensors.Tensor.f32("odd", new long[] {3}, () -> new float[] {1, 2, 3}),
        Safetensors.Tensor.i64Scalar("count", 7),
        Safetensors.Tensor.i64Scalar("count2", 8)), Map.of("note", "x"));

    byte[] bytes = Files.readAllBytes(file);
    long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(headerLength % 8).isZero();
    assertThat(bytes[8]).isEqualTo((byte) '{');
    Map<?, ?> header = new ObjectMapper().readValue(
        new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8).strip(), Map.class);
    long dataStart = 8 + headerLength;
    long end = 0;
    // the int64 scalars come first, so the odd-length float tensor cannot misalign them
    for (String name : List.of("count", "count2", "odd")) {
      List<?> offsets = (List<?>) ((Map<?, ?>) header.get(name)).get("data_offsets");
      long start = ((Number) offsets.get(0)).longValue();
      assertThat(start).as(name).isEqualTo(end);
      assertThat((dataStart + start) % ("odd".equals(name) ? 4 : 8)).as(name).isZero();
      end = ((Number) offsets.get(1)).longValue();
    }
    assertThat(dataStart + end).isEqualTo(bytes.length);
  }

  @Test
  void repeatedNamesAreRefusedAndNothingIsWritten() {
    Path file = dir.resolve("dup.safetensors");
    assertThatThrownBy(() -> Safetensors.write(file, List.of(
        Safetensors.Tensor.f32("w", new long[] {1}, () -> new float[] {1}),
        Safetensors.Tensor.f32("w", new long[] {1}, () -> new float[] {2})), Map.of()))
        .hasMessageContaining("w");
    assertThat(dir).isEmptyDirectory();
  }
}
