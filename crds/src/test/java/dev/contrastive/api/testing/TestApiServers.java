package dev.contrastive.api.testing;

import dev.contrastive.api.apiserver.ApiServerBinaries;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Starts a real kube-apiserver for tests. On this project's machines the binaries of 1.20.2 are
 * laid out by {@code ../shared/k8s/setup.sh} and used offline; elsewhere (a laptop or GitHub with
 * internet) kube-api-test downloads a current version. Either way into the one folder of
 * {@link ApiServerBinaries}. {@code KUBE_API_TEST_OFFLINE_MODE},
 * {@code KUBE_API_TEST_API_SERVER_VERSION} and {@code KUBE_API_TEST_STARTUP_TIMEOUT}, when set, decide instead.
 */
public final class TestApiServers {

  private static final int STARTUP_TIMEOUT_MS = 180_000;

  private TestApiServers() {}

  public static KubeAPIServer start() {
    Map<String, String> env = System.getenv();
    KubeAPIServerConfigBuilder config = KubeAPIServerConfigBuilder.anAPIServerConfig().withUpdateKubeConfig(false)
        .withTestDir(ApiServerBinaries.folder(env).toString());
    if (env.get(KubeAPIServerConfigBuilder.KUBE_API_TEST_STARTUP_TIMEOUT) == null) {
      // the library's 60 s ran out on a 2-core machine under load; a slow start is not a failure
      config.withStartupTimeout(STARTUP_TIMEOUT_MS);
    }
    Optional<Path> local = ApiServerBinaries.offline(env);
    if (env.get("KUBE_API_TEST_OFFLINE_MODE") == null && local.isPresent()) {
      config.withOfflineMode(true).withApiServerVersion(ApiServerBinaries.OFFLINE_VERSION);
    }
    KubeAPIServer server = new KubeAPIServer(config.build());
    server.start();
    return server;
  }
}
