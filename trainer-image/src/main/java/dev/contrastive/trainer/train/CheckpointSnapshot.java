package dev.contrastive.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * A checkpoint's content in memory: taken on the training thread between steps (a memory copy),
 * written to the volume later, so the slow part never runs while parameters change.
 */
public record CheckpointSnapshot(TrainingState state, byte[] parameters, byte[] optimizer) {

  /** Serialises the block's parameters (with BatchNorm statistics) and the optimizer state by name. */
  public static CheckpointSnapshot of(TrainingState state, Block block, Map<String, NDArray> optimizerState) {
    try {
      ByteArrayOutputStream parameters = new ByteArrayOutputStream(1 << 20);
      try (DataOutputStream out = new DataOutputStream(parameters)) {
        block.saveParameters(out);
      }
      ByteArrayOutputStream optimizer = new ByteArrayOutputStream(1 << 20);
      try (DataOutputStream out = new DataOutputStream(optimizer)) {
        out.writeInt(optimizerState.size());
        for (Map.Entry<String, NDArray> entry : optimizerState.entrySet()) {
          byte[] encoded = entry.getValue().encode();
          out.writeUTF(entry.getKey());
          out.writeInt(encoded.length);
          out.write(encoded);
        }
      }
      return new CheckpointSnapshot(state, parameters.toByteArray(), optimizer.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialise the checkpoint: " + e.getMessage(), e);
    }
  }

  /** Bytes of the files (manifest aside). */
  public long bytes() {
    return (long) parameters.length + optimizer.length;
  }

  /** The folder it is written to. */
  public String name() {
    return CheckpointStore.folderName(state);
  }
}
