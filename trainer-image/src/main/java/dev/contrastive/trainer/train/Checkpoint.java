package dev.contrastive.trainer.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A complete checkpoint on disk: parameters (with BatchNorm statistics), optimizer state, counters. */
public record Checkpoint(Path dir, TrainingState state) {

  static final String PARAMETERS = "model.params";
  static final String OPTIMIZER = "optimizer.bin";
  static final String STATE = "state.json";

  /**
   * Loads the parameters into an initialised block of the same architecture; trainable ones are
   * trainable again (loading replaces the arrays, which drops the gradient flag).
   */
  public void loadParametersInto(Block block, NDManager manager) {
    try (DataInputStream in = open(PARAMETERS)) {
      block.loadParameters(manager, in);
      for (Pair<String, Parameter> parameter : block.getParameters()) {
        if (parameter.getValue().requiresGradient()) {
          parameter.getValue().getArray().setRequiresGradient(true);
        }
      }
    } catch (IOException | MalformedModelException e) {
      throw new CheckpointException(dir.resolve(PARAMETERS) + ": cannot load parameters: " + e.getMessage(), e);
    }
  }

  /** The optimizer state by name, as arrays attached to {@code manager}. */
  public Map<String, NDArray> optimizerState(NDManager manager) {
    Map<String, NDArray> state = new LinkedHashMap<>();
    try (DataInputStream in = open(OPTIMIZER)) {
      int count = in.readInt();
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        byte[] encoded = new byte[in.readInt()];
        in.readFully(encoded);
        state.put(name, manager.decode(encoded));
      }
    } catch (IOException e) {
      throw new CheckpointException(dir.resolve(OPTIMIZER) + ": cannot read optimizer state: " + e.getMessage(), e);
    }
    return state;
  }

  private DataInputStream open(String file) throws IOException {
    return new DataInputStream(new BufferedInputStream(Files.newInputStream(dir.resolve(file))));
  }

  /** A checkpoint that exists but cannot be read: the run cannot resume from it. */
  public static final class CheckpointException extends UncheckedIOException {
    public CheckpointException(String message, Exception cause) {
      super(message, cause instanceof IOException io ? io : new IOException(cause));
    }
  }
}
