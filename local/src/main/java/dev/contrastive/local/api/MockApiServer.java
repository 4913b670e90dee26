package dev.contrastive.local.api;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Optional;

/**
 * The Fabric8 mock server in CRUD mode: stores and watches objects like an API server, but has
 * no schema validation, no server-side apply and no graceful pod deletion.
 */
public final class MockApiServer implements ApiServer {

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private MockApiServer(KubernetesMockServer server) {
    this.server = server;
    this.client = server.createClient();
  }

  public static MockApiServer start() {
    KubernetesMockServer server = new KubernetesMockServer(
        new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init();
    return new MockApiServer(server);
  }

  @Override
  public KubernetesClient client() {
    return client;
  }

  @Override
  public String description() {
    return "Fabric8 mock API server (CRUD mode)";
  }

  @Override
  public Optional<Path> kubeconfig() {
    return Optional.empty();
  }

  @Override
  public boolean keepsFieldManagedStatus() {
    return false;
  }

  /** Plain HTTP without credentials: all the mock server needs. */
  @Override
  public Path podKubeconfig(Path dir) {
    String url = client.getConfiguration().getMasterUrl();
    String yaml = String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{name: mock, cluster: {server: '" + url + "'}}]",
        "users: [{name: mock, user: {}}]",
        "contexts: [{name: mock, context: {cluster: mock, user: mock}}]",
        "current-context: mock", "");
    try {
      Files.createDirectories(dir);
      return Files.writeString(dir.resolve("mock-kubeconfig"), yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
