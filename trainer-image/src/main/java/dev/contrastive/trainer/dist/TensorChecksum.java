package dev.contrastive.trainer.dist;

import dev.contrastive.trainer.device.TensorWindow;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.zip.CRC32C;

/**
 * One tensor's fingerprint for the replica check: the sum and the sum of squares of its values (in
 * double, in element order, so every rank computes them the same way whatever its device or thread
 * count) and a CRC-32C of its bits, which also tells apart values that sum alike.
 */
record TensorChecksum(double sum, double sumOfSquares, long crc) {

  /** Values per checksum in an all-gathered vector. */
  static final int DOUBLES = 3;

  /** Reads {@code window} through {@code chunk} (a reused native-order host buffer) and sums it. */
  static TensorChecksum of(TensorWindow window, ByteBuffer chunk) {
    double sum = 0;
    double squares = 0;
    CRC32C crc = new CRC32C();
    int size = window.byteSize();
    for (int offset = 0; offset < size; offset += chunk.capacity()) {
      int n = Math.min(chunk.capacity(), size - offset);
      ByteBuffer part = chunk.slice(0, n).order(chunk.order());
      window.read(offset, part);
      FloatBuffer values = part.asFloatBuffer();
      for (int i = 0; i < values.limit(); i++) {
        double value = values.get(i);
        sum += value;
        squares += value * value;
      }
      crc.update(part);
    }
    return new TensorChecksum(sum, squares, crc.getValue());
  }

  void writeTo(double[] into, int at) {
    into[at] = sum;
    into[at + 1] = sumOfSquares;
    into[at + 2] = crc;
  }

  static TensorChecksum readFrom(double[] from, int at) {
    return new TensorChecksum(from[at], from[at + 1], (long) from[at + 2]);
  }

  /** Bitwise equality (NaN equals NaN: a rank is not told apart for failing the same way). */
  boolean same(TensorChecksum other) {
    return Double.doubleToLongBits(sum) == Double.doubleToLongBits(other.sum)
        && Double.doubleToLongBits(sumOfSquares) == Double.doubleToLongBits(other.sumOfSquares)
        && crc == other.crc;
  }
}
