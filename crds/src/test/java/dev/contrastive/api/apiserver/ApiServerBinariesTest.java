package dev.contrastive.api.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiServerBinariesTest {

  @Test
  void kubeApiTestDirWinsThenTheXdgCacheThenHomeCacheAsSetupShLaysThemOut() {
    assertThat(ApiServerBinaries.folder(Map.of("KUBE_API_TEST_DIR", "/opt/k", "XDG_CACHE_HOME", "/c")))
        .isEqualTo(Path.of("/opt/k"));
    assertThat(ApiServerBinaries.folder(Map.of("XDG_CACHE_HOME", "/c"))).isEqualTo(Path.of("/c/kube-api-test"));
    assertThat(ApiServerBinaries.folder(Map.of()))
        .isEqualTo(Path.of(System.getProperty("user.home"), ".cache", "kube-api-test"));
  }

  @Test
  void offlineOnlyWhenTheOfflineVersionsApiServerAndEtcdAreThere(@TempDir Path dir) throws Exception {
    Map<String, String> env = Map.of("KUBE_API_TEST_DIR", dir.toString());
    assertThat(ApiServerBinaries.offline(env)).isEmpty();

    Path bin = Files.createDirectories(dir.resolve("k8s/1.20.2-linux-amd64"));
    Files.createFile(bin.resolve("kube-apiserver")).toFile().setExecutable(true);
    assertThat(ApiServerBinaries.offline(env)).as("no etcd yet").isEmpty();

    Files.createFile(bin.resolve("etcd"));
    assertThat(ApiServerBinaries.offline(env)).contains(dir);
  }
}
