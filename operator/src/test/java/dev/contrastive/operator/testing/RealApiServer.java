package dev.contrastive.operator.testing;

import dev.contrastive.api.testing.TestApiServers;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One real kube-apiserver (with etcd) per test JVM, started by {@link TestApiServers}, with the
 * checked-in CRD installed. Needs {@code eval "$(../shared/k8s/setup.sh)"}.
 */
public final class RealApiServer {

  public static final Path CRD = Path.of("../crds/contrastivetrainingruns.contrastive.dev-v1.yml");
  private static RealApiServer instance;

  private final KubeAPIServer server;
  private final Path kubeconfig;
  private final KubernetesClient client;
  private KubernetesClient operatorClient;

  private RealApiServer() throws IOException {
    server = TestApiServers.start();
    kubeconfig = Files.createTempFile("kube-api-test", ".kubeconfig");
    Files.writeString(kubeconfig, server.getKubeConfigYaml());
    client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(server.getKubeConfigYaml())).build();
    CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions()
        .load(CRD.toFile()).item();
    client.resource(crd).create();
    awaitEstablished(client, crd, Duration.ofSeconds(30));
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
  }

  /** Waits until the server serves the CRD's kind (its Established condition is True). */
  public static void awaitEstablished(KubernetesClient client, CustomResourceDefinition crd, Duration timeout) {
    // A large CRD (the pod template schema) may show a status without conditions at first.
    client.resource(crd).waitUntilCondition(c -> c != null && c.getStatus() != null
        && c.getStatus().getConditions() != null && c.getStatus().getConditions().stream()
            .anyMatch(condition -> "Established".equals(condition.getType()) && "True".equals(condition.getStatus())),
        timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public static synchronized RealApiServer get() {
    if (instance == null) {
      try {
        instance = new RealApiServer();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  /** The cluster's administrator: tests set the scene with it. */
  public KubernetesClient client() {
    return client;
  }

  /**
   * A client that acts as the operator's ServiceAccount with exactly the rights deploy/rbac.yaml
   * grants it (applied on first use): tests that run the operator on it fail on any call those
   * rights do not allow.
   */
  public synchronized KubernetesClient operatorClient() {
    if (operatorClient == null) {
      OperatorRbac.install(client);
      operatorClient = OperatorRbac.impersonating(server.getKubeConfigYaml());
    }
    return operatorClient;
  }

  /**
   * A client that sends every request as the ServiceAccount {@code namespace/name} would (as a
   * trainer pod's mounted token does), with exactly the rights RBAC gives that account.
   */
  public KubernetesClient serviceAccountClient(String namespace, String name) {
    Config config = Config.fromKubeconfig(server.getKubeConfigYaml());
    config.setImpersonateUsername("system:serviceaccount:" + namespace + ":" + name);
    config.setImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated");
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** A kubeconfig file for kubectl. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  private void stop() {
    if (operatorClient != null) {
      operatorClient.close();
    }
    client.close();
    server.stop();
    try {
      Files.deleteIfExists(kubeconfig);
    } catch (IOException e) {
      // A temporary file left behind harms nothing.
    }
  }
}
