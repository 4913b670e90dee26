import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * Run once while the trainer image is built: starting DJL's PyTorch engine extracts (CPU) or
 * downloads (CUDA) libtorch into DJL_CACHE_DIR, which the image then ships, so pods never fetch
 * or unpack it at start.
 */
public class WarmUpEngine {
  public static void main(String[] args) {
    Engine engine = Engine.getEngine("PyTorch");
    try (NDManager manager = engine.newBaseManager()) {
      float sum = manager.create(new float[] {1f, 2f}).sum().getFloat();
      System.out.println("PyTorch " + engine.getVersion() + " ready; 1 + 2 = " + sum);
    }
  }
}
