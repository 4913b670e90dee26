package dev.contrastive.local.pods;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.UUID;

/** Pods of a test image that the runner maps to {@code sh -c <script>}. */
final class TestPods {

  static final String SHELL_IMAGE = "example.test/shell:1";

  private TestPods() {}

  static ContainerCommands commands() {
    return new ContainerCommands().map(SHELL_IMAGE, ContainerCommand.asWritten());
  }

  static String namespace(KubernetesClient client) {
    String name = "t-" + UUID.randomUUID().toString().substring(0, 8);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    return name;
  }

  static PodBuilder shell(String namespace, String name, String script) {
    return new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withNewSpec()
          .withRestartPolicy("Never")
          .withTerminationGracePeriodSeconds(1L)
          .addNewContainer()
            .withName("main").withImage(SHELL_IMAGE)
            .withCommand("sh", "-c").withArgs(script)
          .endContainer()
        .endSpec();
  }

  static String phase(KubernetesClient client, Pod pod) {
    Pod now = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
    return now == null || now.getStatus() == null ? null : now.getStatus().getPhase();
  }
}
