import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Run while the trainer image is built, the way its pods start the trainer (offline, libtorch from
 * PYTORCH_LIBRARY_PATH), and needing no GPU: proves that the image holds the build it promises.
 *
 * <ul>
 *   <li>the JNI library DJL loaded is, byte for byte, pytorch-jni's build for FLAVOR
 *       ({@code jnilib/<os-arch>/FLAVOR/libdjl_torch.so}), not the CPU one;
 *   <li>libtorch's libraries of that flavour are mapped into this process: {@code libtorch_cuda.so}
 *       and {@code libc10_cuda.so} for a CUDA flavour (loaded without a GPU, as PyTorch loads on
 *       machines without one), none of them for {@code cpu};
 *   <li>a tensor sum gives the right answer.
 * </ul>
 *
 * <p>Usage: {@code java -cp "lib/*" CheckEngineBuild FLAVOR} (e.g. cu128 or cpu). Prints one line,
 * the libtorch folder on a second ({@code libtorch: PATH}); exits 1 with one line when a check fails.
 */
public class CheckEngineBuild {

  private static final List<String> CUDA_LIBRARIES = List.of("libtorch_cuda.so", "libc10_cuda.so");
  private static final List<String> CPU_LIBRARIES = List.of("libtorch_cpu.so", "libc10.so");

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      fail("usage: CheckEngineBuild FLAVOR (cu128, cpu, ...)");
    }
    String flavor = args[0];
    boolean cuda = flavor.startsWith("cu");
    Engine engine = Engine.getEngine("PyTorch");
    float sum;
    try (NDManager manager = engine.newBaseManager(Device.cpu())) {
      sum = manager.create(new float[] {1f, 2f}).sum().getFloat();
    }
    if (sum != 3f) {
      fail("PyTorch " + engine.getVersion() + " computes 1 + 2 = " + sum);
    }

    Set<Path> mapped = mappedFiles();
    Path jni = mapped.stream().filter(p -> p.getFileName().toString().endsWith("libdjl_torch.so")).findFirst()
        .orElseThrow(() -> new IllegalStateException("no libdjl_torch.so is mapped into this process"));
    String classifier = Platform.fromSystem("pytorch").getClassifier();
    String expected = sha256(resource("jnilib/" + classifier + "/" + flavor + "/libdjl_torch.so"));
    String loaded = sha256(Files.newInputStream(jni));
    if (!expected.equals(loaded)) {
      String cpuBuild = sha256(resource("jnilib/" + classifier + "/cpu/libdjl_torch.so"));
      fail("the JNI library loaded (" + jni + ") is not pytorch-jni's " + flavor + " build"
          + (cpuBuild.equals(loaded) ? " but its CPU one" : "") + "; set PYTORCH_FLAVOR=" + flavor);
    }
    for (String library : cuda ? CUDA_LIBRARIES : CPU_LIBRARIES) {
      if (mapped.stream().noneMatch(p -> p.getFileName().toString().equals(library))) {
        fail(library + " is not loaded: this libtorch (" + LibUtils.getLibtorchPath() + ") is not the " + flavor
            + " build");
      }
    }
    if (!cuda && mapped.stream().anyMatch(p -> CUDA_LIBRARIES.contains(p.getFileName().toString()))) {
      fail("a CUDA library is loaded, but the flavour is cpu: " + LibUtils.getLibtorchPath());
    }
    System.out.println("PyTorch " + engine.getVersion() + " " + flavor + " build loads: JNI library = pytorch-jni's "
        + flavor + " build (sha256 " + loaded.substring(0, 12) + "), "
        + String.join(" and ", cuda ? CUDA_LIBRARIES : CPU_LIBRARIES) + " loaded, 1 + 2 = 3; GPUs visible: "
        + engine.getGpuCount());
    System.out.println("libtorch: " + LibUtils.getLibtorchPath());
  }

  /** Every file mapped into this process (/proc/self/maps). */
  private static Set<Path> mappedFiles() throws IOException {
    Set<Path> files = new TreeSet<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
      int slash = line.indexOf('/');
      if (slash >= 0) {
        files.add(Path.of(line.substring(slash).replace(" (deleted)", "")));
      }
    }
    return files;
  }

  private static InputStream resource(String name) {
    InputStream in = CheckEngineBuild.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      fail("pytorch-jni has no " + name + " on the class path: this DJL version has no such flavour");
    }
    return in;
  }

  private static String sha256(InputStream in) throws IOException, NoSuchAlgorithmException {
    try (in) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    }
  }

  private static void fail(String message) {
    System.err.println("CheckEngineBuild: " + message);
    System.exit(1);
  }
}
