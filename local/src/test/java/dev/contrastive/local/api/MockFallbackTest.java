package dev.contrastive.local.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.local.nodes.SimulatedNodes;
import dev.contrastive.local.pods.ContainerCommand;
import dev.contrastive.local.pods.ContainerCommands;
import dev.contrastive.local.pods.PodRunner;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without kube-apiserver binaries the local run works on the Fabric8 mock server. */
class MockFallbackTest {

  @TempDir
  Path workDir;

  @Test
  void mockServerServesTheCrdAndRunsPodsToCompletion() {
    try (ApiServer server = ApiServerChoice.start(ApiServerChoice.Mode.mock, workDir.resolve("kubeconfig"),
        Map.of(), System.out::println)) {
      KubernetesClient client = server.client();
      assertThat(server.kubeconfig()).isEmpty();
      CrdInstaller.install(client, Duration.ofSeconds(10));
      assertThat(client.resources(ContrastiveTrainingRun.class).inNamespace("default").list().getItems()).isEmpty();
      SimulatedNodes.create(client, 1);
      ContainerCommands commands = new ContainerCommands().map("example.test/shell:1", ContainerCommand.asWritten());

      try (PodRunner runner = new PodRunner(client, commands, workDir, workDir, System.out).start()) {
        Pod pod = client.resource(new PodBuilder()
            .withNewMetadata().withName("exits-4").withNamespace("default").endMetadata()
            .withNewSpec().addNewContainer().withName("main").withImage("example.test/shell:1")
              .withCommand("sh", "-c").withArgs("exit 4").endContainer().endSpec()
            .build()).create();

        await().atMost(Duration.ofSeconds(20)).until(() -> {
          Pod now = client.resource(pod).get();
          return now.getStatus() != null && "Failed".equals(now.getStatus().getPhase());
        });
        assertThat(client.resource(pod).get().getStatus().getContainerStatuses().get(0).getState().getTerminated()
            .getExitCode()).isEqualTo(4);
        assertThat(client.resource(pod).get().getSpec().getNodeName()).isEqualTo(SimulatedNodes.name(0));
      }
    }
  }
}
