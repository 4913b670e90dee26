package dev.contrastive.trainer.dist;

import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * bfloat16 as the ring carries it: the upper 16 bits of an fp32, rounded to nearest with ties to
 * even (as PyTorch and NCCL round), so widening back is exact and costs a shift.
 */
final class Bf16 {

  private static final int SEGMENT = 8192;

  private Bf16() {}

  /** {@code value} rounded to bf16, nearest-even; NaN stays a (quiet) NaN. */
  static short round(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
  }

  /** The fp32 whose value {@code bits} holds (exact). */
  static float widen(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /**
   * Rounds {@code source} (positions 0 to limit) into {@code target}; in bulk segments because
   * element-wise access to direct buffers does not vectorise.
   */
  static void pack(FloatBuffer source, ShortBuffer target) {
    float[] values = new float[Math.min(SEGMENT, source.limit())];
    short[] bits = new short[values.length];
    for (int i = 0; i < source.limit(); i += SEGMENT) {
      int n = Math.min(SEGMENT, source.limit() - i);
      source.get(i, values, 0, n);
      for (int k = 0; k < n; k++) {
        bits[k] = round(values[k]);
      }
      target.put(i, bits, 0, n);
    }
  }

  /** Widens {@code source} (positions 0 to limit) into {@code target}. */
  static void unpack(ShortBuffer source, FloatBuffer target) {
    short[] bits = new short[Math.min(SEGMENT, source.limit())];
    float[] values = new float[bits.length];
    for (int i = 0; i < source.limit(); i += SEGMENT) {
      int n = Math.min(SEGMENT, source.limit() - i);
      source.get(i, bits, 0, n);
      for (int k = 0; k < n; k++) {
        values[k] = widen(bits[k]);
      }
      target.put(i, values, 0, n);
    }
  }
}
