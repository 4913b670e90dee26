package dev.contrastive.trainer.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Writes the safetensors format (huggingface/safetensors): an 8-byte little-endian header length,
 * a JSON header mapping each tensor name to {@code dtype}, {@code shape} and {@code data_offsets}
 * (relative to the data section) plus a {@code __metadata__} map of strings, then the raw
 * little-endian data with no gaps. DJL 0.36 writes the format too ({@code NDList.encode}) but
 * cannot write {@code __metadata__}, which carries the run's config here.
 *
 * <p>As the reference writer does, tensors are laid out by element size (largest first) then name,
 * and the header is padded with spaces to a multiple of 8 bytes, so every tensor starts at an
 * offset aligned to its element size and can be mapped without copying.
 */
public final class Safetensors {

  /** Element types written here (safetensors' names). */
  public enum Dtype {
    F32(4),
    I64(8);

    final int bytes;

    Dtype(int bytes) {
      this.bytes = bytes;
    }
  }

  /**
   * One tensor: name, element type, shape (empty for a scalar) and where its values come from,
   * row-major and little-endian. The values are asked for while the file is written, one tensor
   * at a time, so a large model never sits in the Java heap whole.
   */
  public record Tensor(String name, Dtype dtype, long[] shape, Supplier<ByteBuffer> littleEndianData) {

    public Tensor {
      shape = shape.clone();
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }

    long byteLength() {
      return Arrays.stream(shape).reduce(1, Math::multiplyExact) * dtype.bytes;
    }

    /** A float32 tensor whose values {@code values} gives when the file is written. */
    public static Tensor f32(String name, long[] shape, Supplier<float[]> values) {
      return new Tensor(name, Dtype.F32, shape, () -> {
        float[] floats = values.get();
        ByteBuffer data = ByteBuffer.allocate(floats.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(floats);
        return data;
      });
    }

    /** An int64 scalar (shape {@code []}), as PyTorch's BatchNorm {@code num_batches_tracked}. */
    public static Tensor i64Scalar(String name, long value) {
      return new Tensor(name, Dtype.I64, new long[0],
          () -> ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value));
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String METADATA = "__metadata__";

  private Safetensors() {}

  /**
   * Writes {@code tensors} and {@code metadata} to {@code file}, through a temporary file in the
   * same folder renamed into place: a reader never sees half a file.
   *
   * @throws IllegalArgumentException for two tensors of one name, or a tensor named {@code
   *     __metadata__}
   */
  public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata) throws IOException {
    List<Tensor> ordered = new ArrayList<>(tensors);
    ordered.sort(Comparator.comparingInt((Tensor t) -> -t.dtype().bytes).thenComparing(Tensor::name));
    Set<String> names = new HashSet<>();
    Map<String, Object> header = new LinkedHashMap<>();
    if (!metadata.isEmpty()) {
      header.put(METADATA, new LinkedHashMap<>(metadata));
    }
    long offset = 0;
    for (Tensor tensor : ordered) {
      if (tensor.name().equals(METADATA) || !names.add(tensor.name())) {
        throw new IllegalArgumentException("tensor name " + tensor.name() + " is reserved or repeated");
      }
      long end = offset + tensor.byteLength();
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dtype", tensor.dtype().name());
      entry.put("shape", tensor.shape());
      entry.put("data_offsets", new long[] {offset, end});
      header.put(tensor.name(), entry);
      offset = end;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    head.flip();

    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
    try {
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        writeFully(out, head);
        for (Tensor tensor : ordered) {
          ByteBuffer data = tensor.littleEndianData().get();
          if (data.remaining() != tensor.byteLength()) {
            throw new IllegalStateException(tensor.name() + ": " + data.remaining() + " bytes do not hold shape "
                + Arrays.toString(tensor.shape) + " of " + tensor.dtype());
          }
          writeFully(out, data);
        }
        out.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The {@code __metadata__} map of a safetensors file (empty when it has none). */
  public static Map<String, String> readMetadata(Path file) throws IOException {
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(in, length);
      long size = length.getLong(0);
      if (size < 2 || size > 100L << 20 || size > in.size() - 8) {
        throw new IOException(file + ": not a safetensors file (header length " + size + ")");
      }
      ByteBuffer json = ByteBuffer.allocate((int) size);
      readFully(in, json);
      Map<?, ?> header = JSON.readValue(new String(json.array(), StandardCharsets.UTF_8), Map.class);
      Map<String, String> metadata = new LinkedHashMap<>();
      if (header.get(METADATA) instanceof Map<?, ?> map) {
        map.forEach((k, v) -> metadata.put(String.valueOf(k), String.valueOf(v)));
      }
      return metadata;
    }
  }

  private static void writeFully(FileChannel out, ByteBuffer data) throws IOException {
    while (data.hasRemaining()) {
      out.write(data);
    }
  }

  private static void readFully(FileChannel in, ByteBuffer data) throws IOException {
    while (data.hasRemaining()) {
      if (in.read(data) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
    data.flip();
  }
}
