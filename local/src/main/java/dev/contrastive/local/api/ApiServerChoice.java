package dev.contrastive.local.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Picks the API server of a local run: real when possible, the mock server otherwise. */
public final class ApiServerChoice {

  /** kube-apiserver version laid out by {@code ../shared/k8s/setup.sh}. */
  public static final String OFFLINE_VERSION = "1.20.2";

  /** What the user asked for on the command line. */
  public enum Mode { auto, real, mock }

  private ApiServerChoice() {}

  /**
   * {@code auto}: the real server from binaries on disk if there are any, else a real server
   * that kube-api-test downloads, else (no network) the mock server. {@code real} never falls
   * back; {@code mock} never tries the real one.
   */
  public static ApiServer start(Mode mode, Path kubeconfig, Map<String, String> env, Consumer<String> log) {
    if (mode == Mode.mock) {
      return MockApiServer.start();
    }
    Optional<String> offline = offlineBinaries(env).map(dir -> OFFLINE_VERSION);
    if (mode == Mode.real || offline.isPresent()) {
      return RealApiServer.start(offline, kubeconfig);
    }
    try {
      return RealApiServer.start(Optional.empty(), kubeconfig);
    } catch (RuntimeException e) {
      log.accept("no kube-apiserver binaries and none could be downloaded (" + e.getMessage()
          + "); using the mock API server");
      return MockApiServer.start();
    }
  }

  /** The kube-api-test folder holding the offline version's binaries, if it exists. */
  static Optional<Path> offlineBinaries(Map<String, String> env) {
    Path dir = Optional.ofNullable(env.get("KUBE_API_TEST_DIR")).map(Path::of)
        .orElse(Path.of(System.getProperty("user.home"), ".kubeapitest"));
    Path bin = dir.resolve("k8s").resolve(OFFLINE_VERSION + "-linux-amd64");
    return Files.isExecutable(bin.resolve("kube-apiserver")) && Files.exists(bin.resolve("etcd"))
        ? Optional.of(dir) : Optional.empty();
  }
}
