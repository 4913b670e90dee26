package dev.contrastive.local.api;

import dev.contrastive.api.apiserver.ApiServerBinaries;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Picks the API server of a local run: real when possible, the mock server otherwise. */
public final class ApiServerChoice {

  /** What the user asked for on the command line. */
  public enum Mode { auto, real, mock }

  private ApiServerChoice() {}

  /**
   * {@code auto}: the real server from binaries on disk if there are any, else a real server
   * that kube-api-test downloads (both in the folder of {@link ApiServerBinaries}), else (no network) the mock server. {@code real} never falls
   * back; {@code mock} never tries the real one.
   */
  public static ApiServer start(Mode mode, Path kubeconfig, Map<String, String> env, Consumer<String> log) {
    if (mode == Mode.mock) {
      return MockApiServer.start();
    }
    Path binaries = ApiServerBinaries.folder(env);
    Optional<String> offline = ApiServerBinaries.offline(env).map(dir -> ApiServerBinaries.OFFLINE_VERSION);
    if (mode == Mode.real || offline.isPresent()) {
      return RealApiServer.start(binaries, offline, kubeconfig);
    }
    try {
      return RealApiServer.start(binaries, Optional.empty(), kubeconfig);
    } catch (RuntimeException e) {
      log.accept("no kube-apiserver binaries and none could be downloaded (" + e.getMessage()
          + "); using the mock API server");
      return MockApiServer.start();
    }
  }
}
