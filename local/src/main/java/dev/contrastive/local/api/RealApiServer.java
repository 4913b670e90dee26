package dev.contrastive.local.api;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A real kube-apiserver with its etcd, run as child processes by kube-api-test. */
public final class RealApiServer implements ApiServer {

  private static final int STARTUP_TIMEOUT_MS = 180_000;

  private final KubeAPIServer server;
  private final KubernetesClient client;
  private final Path kubeconfig;
  private final String description;

  private RealApiServer(KubeAPIServer server, KubernetesClient client, Path kubeconfig, String description) {
    this.server = server;
    this.client = client;
    this.kubeconfig = kubeconfig;
    this.description = description;
  }

  /**
   * Starts the server from the binaries in {@code binaries} (see ApiServerBinaries). With
   * {@code version} set it uses binaries already there (offline); without, kube-api-test downloads
   * the newest release into that folder.
   */
  public static RealApiServer start(Path binaries, Optional<String> version, Path kubeconfig) {
    KubeAPIServerConfigBuilder config = KubeAPIServerConfigBuilder.anAPIServerConfig()
        .withTestDir(binaries.toString()).withOfflineMode(version.isPresent());
    version.ifPresent(config::withApiServerVersion);
    if (System.getenv(KubeAPIServerConfigBuilder.KUBE_API_TEST_STARTUP_TIMEOUT) == null) {
      config.withStartupTimeout(STARTUP_TIMEOUT_MS); // the library's 60 s runs out on a busy 2-core machine
    }
    KubeAPIServer server = new KubeAPIServer(config.build());
    server.start();
    try {
      String yaml = server.getKubeConfigYaml();
      Files.createDirectories(kubeconfig.getParent());
      Files.writeString(kubeconfig, yaml);
      KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(yaml)).build();
      String serverVersion = client.getKubernetesVersion().getGitVersion();
      return new RealApiServer(server, client, kubeconfig, "real kube-apiserver " + serverVersion);
    } catch (IOException | RuntimeException e) {
      server.stop();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  @Override
  public KubernetesClient client() {
    return client;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public Optional<Path> kubeconfig() {
    return Optional.of(kubeconfig);
  }

  @Override
  public boolean keepsFieldManagedStatus() {
    return true;
  }

  @Override
  public Path podKubeconfig(Path dir) {
    return kubeconfig;
  }

  @Override
  public void close() {
    client.close();
    server.stop();
  }
}
