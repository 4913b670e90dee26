package dev.contrastive.api.testing;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts a real kube-apiserver for tests. On this project's machines the binaries of 1.20.2 are
 * laid out by {@code ../shared/k8s/setup.sh} and used offline; elsewhere (a laptop or GitHub with
 * internet) kube-api-test downloads a current version. {@code KUBE_API_TEST_OFFLINE_MODE} and
 * {@code KUBE_API_TEST_API_SERVER_VERSION}, when set, decide instead.
 */
public final class TestApiServers {

  public static final String LOCAL_VERSION = "1.20.2";

  private TestApiServers() {}

  public static KubeAPIServer start() {
    KubeAPIServerConfigBuilder config = KubeAPIServerConfigBuilder.anAPIServerConfig().withUpdateKubeConfig(false);
    Path local = localTestDir();
    if (System.getenv("KUBE_API_TEST_OFFLINE_MODE") == null && local != null) {
      config.withTestDir(local.toString()).withOfflineMode(true).withApiServerVersion(LOCAL_VERSION);
    }
    KubeAPIServer server = new KubeAPIServer(config.build());
    server.start();
    return server;
  }

  /** The folder setup.sh lays out (its default when KUBE_API_TEST_DIR is unset), if it is there. */
  private static Path localTestDir() {
    String dir = System.getenv("KUBE_API_TEST_DIR");
    Path base = dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "kube-api-test");
    Path binary = base.resolve("k8s").resolve(LOCAL_VERSION + "-linux-amd64").resolve("kube-apiserver");
    return Files.isExecutable(binary) ? base : null;
  }
}
