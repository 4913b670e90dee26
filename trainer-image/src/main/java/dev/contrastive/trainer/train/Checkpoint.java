package dev.contrastive.trainer.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A complete checkpoint on disk: parameters (with BatchNorm statistics), optimizer state, counters,
 * and the manifest of their checksums. Obtain one through {@link #verified}.
 */
public record Checkpoint(Path dir, TrainingState state) {

  static final String PARAMETERS = "model.params";
  static final String OPTIMIZER = "optimizer.bin";
  static final String STATE = "state.json";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_STATE_BYTES = 4 << 10;

  /**
   * The checkpoint in {@code dir} after checking its manifest, every file's size and SHA-256, and
   * that its counters match its name.
   *
   * @throws CheckpointException naming the file and what is wrong with it
   */
  public static Checkpoint verified(Path dir) {
    CheckpointManifest manifest = CheckpointManifest.read(dir);
    manifest.verify(dir);
    Path file = dir.resolve(STATE);
    TrainingState state;
    try {
      if (Files.size(file) > MAX_STATE_BYTES) {
        throw new CheckpointException(file + ": larger than a state file's " + MAX_STATE_BYTES + " bytes");
      }
      state = JSON.readValue(Files.readAllBytes(file), TrainingState.class);
    } catch (IOException e) {
      throw new CheckpointException(file + ": unreadable: " + e.getMessage().lines().findFirst().orElse(""), e);
    }
    if (state.epochsDone() < 0 || state.step() < 0) {
      throw new CheckpointException(file + ": negative counters " + state);
    }
    String expected = CheckpointStore.folderName(state);
    if (!expected.equals(dir.getFileName().toString())) {
      throw new CheckpointException(file + ": says epoch " + state.epochsDone() + " step " + state.step()
          + " but the folder is named " + dir.getFileName());
    }
    return new Checkpoint(dir, state);
  }

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

  /**
   * The optimizer state by name, as arrays attached to {@code manager}. Every count and length is
   * checked against the bytes left in the file before anything is allocated.
   */
  public Map<String, NDArray> optimizerState(NDManager manager) {
    Path file = dir.resolve(OPTIMIZER);
    Map<String, NDArray> state = new LinkedHashMap<>();
    try (DataInputStream in = open(OPTIMIZER)) {
      long left = Files.size(file);
      int count = in.readInt();
      left -= Integer.BYTES;
      // each entry takes at least a name length and an array length
      if (count < 0 || count > left / (Short.BYTES + Integer.BYTES)) {
        throw new CheckpointException(file + ": " + count + " entries cannot fit in " + left + " bytes");
      }
      for (int i = 0; i < count; i++) {
        int nameBytes = in.readUnsignedShort();
        byte[] name = bounded(in, nameBytes, left - Short.BYTES, file, "name of entry " + i);
        left -= Short.BYTES + nameBytes;
        int length = in.readInt();
        left -= Integer.BYTES;
        byte[] encoded = bounded(in, length, left, file, "entry " + i);
        left -= length;
        state.put(modifiedUtf8(name), manager.decode(encoded));
      }
      if (left != 0) {
        throw new CheckpointException(file + ": " + left + " bytes after the last entry");
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof CheckpointException checkpoint) {
        throw checkpoint;
      }
      state.values().forEach(NDArray::close);
      throw new CheckpointException(file + ": cannot read optimizer state: " + e.getMessage(), e);
    }
    return state;
  }

  private static byte[] bounded(DataInputStream in, int length, long left, Path file, String what)
      throws IOException {
    if (length < 0 || length > left) {
      throw new CheckpointException(file + ": " + what + " claims " + length + " bytes, only " + Math.max(0, left)
          + " are left");
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return bytes;
  }

  /** Decodes what {@link java.io.DataOutputStream#writeUTF} wrote (its length already read). */
  private static String modifiedUtf8(byte[] bytes) throws IOException {
    byte[] framed = new byte[bytes.length + Short.BYTES];
    framed[0] = (byte) (bytes.length >>> 8);
    framed[1] = (byte) bytes.length;
    System.arraycopy(bytes, 0, framed, Short.BYTES, bytes.length);
    return new DataInputStream(new ByteArrayInputStream(framed)).readUTF();
  }

  private DataInputStream open(String file) throws IOException {
    return new DataInputStream(new BufferedInputStream(Files.newInputStream(dir.resolve(file))));
  }

  /** A checkpoint that exists but cannot be read: the run cannot resume from it. */
  public static final class CheckpointException extends UncheckedIOException {
    public CheckpointException(String message) {
      super(message, new IOException(message));
    }

    public CheckpointException(String message, Exception cause) {
      super(message, cause instanceof IOException io ? io : new IOException(cause));
    }
  }
}
