package dev.contrastive.local;

import dev.contrastive.local.api.ApiServer;
import dev.contrastive.local.api.ApiServerChoice;
import dev.contrastive.local.api.CrdInstaller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** One real kube-apiserver (offline binaries) for all tests of this JVM; each test uses its own namespace. */
public final class SharedApiServer {

  private static ApiServer server;

  private SharedApiServer() {}

  public static synchronized ApiServer real() throws Exception {
    if (server == null) {
      Path kubeconfig = Files.createTempDirectory("local-test").resolve("kubeconfig");
      server = ApiServerChoice.start(ApiServerChoice.Mode.real, kubeconfig, System.getenv(), System.out::println);
      CrdInstaller.install(server.client(), Duration.ofSeconds(30));
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    }
    return server;
  }
}
