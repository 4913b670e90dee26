package dev.contrastive.api.apiserver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The one folder holding the kube-apiserver and etcd binaries that io.fabric8:kube-api-test runs,
 * for the tests and for local mode alike: {@code KUBE_API_TEST_DIR} when set, else the default of
 * {@code ../shared/k8s/setup.sh} ({@code $XDG_CACHE_HOME} or {@code ~/.cache}, then
 * {@code kube-api-test}). Binaries kube-api-test downloads go there too, so a machine keeps one copy.
 */
public final class ApiServerBinaries {

  /** The kube-apiserver version setup.sh lays out for offline use. */
  public static final String OFFLINE_VERSION = "1.20.2";

  private ApiServerBinaries() {}

  /** The folder, from the environment {@code env} (pass {@code System.getenv()}). */
  public static Path folder(Map<String, String> env) {
    String dir = env.get("KUBE_API_TEST_DIR");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir);
    }
    String cache = env.get("XDG_CACHE_HOME");
    Path base = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("kube-api-test");
  }

  /** The folder, if it holds {@link #OFFLINE_VERSION}'s kube-apiserver and etcd. */
  public static Optional<Path> offline(Map<String, String> env) {
    Path folder = folder(env);
    Path bin = folder.resolve("k8s").resolve(OFFLINE_VERSION + "-linux-amd64");
    return Files.isExecutable(bin.resolve("kube-apiserver")) && Files.exists(bin.resolve("etcd"))
        ? Optional.of(folder) : Optional.empty();
  }
}
