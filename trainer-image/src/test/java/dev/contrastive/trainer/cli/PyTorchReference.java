package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's PyTorch at {@code /usr/bin/python3} (packages python3-torch, python3-torchvision). Where
 * it is missing, tests that need it are skipped, and the skip names the packages; with {@code
 * CONTRASTIVE_REQUIRE_TORCH=1} (set by .ci/run, which installs them) they fail instead, so CI
 * never passes without having run them.
 */
final class PyTorchReference {

  static final Path PYTHON = Path.of("/usr/bin/python3");
  static final String REQUIRE = "CONTRASTIVE_REQUIRE_TORCH";

  private static Boolean available;

  private PyTorchReference() {}

  /** Skips (or, where required, fails) the calling test when torch and torchvision are missing. */
  static synchronized void assumeAvailable() {
    if (available == null) {
      available = probe();
    }
    if (!available) {
      String why = PYTHON + " cannot import torch and torchvision (apt-get install python3-torch python3-torchvision)";
      if ("1".equals(System.getenv(REQUIRE))) {
        fail(REQUIRE + "=1 but " + why);
      }
      Assumptions.abort("skipped: " + why);
    }
  }

  /** Runs {@code script args...} and returns its standard output; fails the test on a non-zero exit. */
  static String run(Path script, List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script.toString()));
    command.addAll(args);
    Path err = Files.createTempFile("python-", ".err");
    try {
      Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(300, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail(script + " did not finish in 300 s");
      }
      if (process.exitValue() != 0) {
        fail(script + " exited " + process.exitValue() + ":\n" + Files.readString(err));
      }
      return new String(out, StandardCharsets.UTF_8);
    } finally {
      Files.deleteIfExists(err);
    }
  }

  private static boolean probe() {
    if (!Files.isExecutable(PYTHON)) {
      return false;
    }
    try {
      Process process = new ProcessBuilder(PYTHON.toString(), "-c", "import torch, torchvision")
          .redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor(120, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
