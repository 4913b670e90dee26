package dev.contrastive.operator.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** deploy/rbac.yaml installed as kustomize would (namespace contrastive-system), and the operator's identity. */
public final class OperatorRbac {

  public static final Path MANIFEST = Path.of("../deploy/rbac.yaml");
  public static final String NAMESPACE = "contrastive-system";
  public static final String SERVICE_ACCOUNT = "contrastive-operator";
  public static final String USER = "system:serviceaccount:" + NAMESPACE + ":" + SERVICE_ACCOUNT;

  private OperatorRbac() {}

  /** The objects of deploy/rbac.yaml, namespaced ones in the operator's namespace. */
  public static List<HasMetadata> objects(KubernetesClient client) {
    try (InputStream in = Files.newInputStream(MANIFEST)) {
      List<HasMetadata> objects = client.load(in).items();
      objects.stream().filter(o -> !o.getKind().startsWith("Cluster"))
          .forEach(o -> o.getMetadata().setNamespace(NAMESPACE));
      return objects;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void install(KubernetesClient admin) {
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .serverSideApply();
    objects(admin).forEach(o -> admin.resource(o).forceConflicts().serverSideApply());
  }

  /** A client that sends every request as the operator's ServiceAccount would. */
  static KubernetesClient impersonating(String adminKubeconfig) {
    Config config = Config.fromKubeconfig(adminKubeconfig);
    config.setImpersonateUsername(USER);
    config.setImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + NAMESPACE,
        "system:authenticated");
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
