package dev.contrastive.trainer.dist;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/** Inputs and expected results shared by the all-reduce tests. */
final class AllReduceData {

  private AllReduceData() {}

  /** Integer-valued floats: every summation order gives the exact sum, so equality is exact. */
  static ByteBuffer integers(int rank, int floats) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder());
    SplittableRandom random = new SplittableRandom(rank * 7919L + floats);
    FloatBuffer view = buffer.asFloatBuffer();
    for (int i = 0; i < floats; i++) {
      view.put(i, random.nextInt(-1000, 1001));
    }
    return buffer;
  }

  /** What {@link #integers} of ranks 0..world-1 sum to, computed in one place. */
  static float[] integersSum(int world, int floats) {
    float[] expected = new float[floats];
    for (int rank = 0; rank < world; rank++) {
      FloatBuffer contribution = integers(rank, floats).asFloatBuffer();
      for (int i = 0; i < floats; i++) {
        expected[i] += contribution.get(i);
      }
    }
    return expected;
  }

  static ByteBuffer gaussians(int rank, int floats) {
    ByteBuffer data = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder());
    SplittableRandom random = new SplittableRandom(rank);
    for (int i = 0; i < floats; i++) {
      data.putFloat(i * Float.BYTES, (float) random.nextGaussian());
    }
    return data;
  }

  static float[] floats(ByteBuffer buffer) {
    float[] values = new float[buffer.capacity() / Float.BYTES];
    buffer.duplicate().clear().order(ByteOrder.nativeOrder()).asFloatBuffer().get(values);
    return values;
  }
}
