package dev.contrastive.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.api.status.ProgressStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubeapitest.KubeAPIServer;
import dev.contrastive.api.testing.TestApiServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import java.io.FileInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** On a real kube-apiserver: the status subresource and merge-patch semantics are the server's. */
class KubernetesStatusWriterTest {

  static KubeAPIServer server;
  static KubernetesClient client;

  @BeforeAll
  static void startApiServer() throws Exception {
    server = TestApiServers.start();
    client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(server.getKubeConfigYaml())).build();
    try (var in = new FileInputStream("../crds/contrastivetrainingruns.contrastive.dev-v1.yml")) {
      client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
    }
    client.resource(new NamespaceBuilder().withNewMetadata().withName("ml").endMetadata().build()).create();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> client.resources(ContrastiveTrainingRun.class).inNamespace("ml").list() != null);
  }

  @AfterAll
  static void stopApiServer() {
    client.close();
    server.stop();
  }

  @BeforeEach
  void createRunWithOperatorStatus() throws Exception {
    client.resources(ContrastiveTrainingRun.class).inNamespace("ml").withName("demo").delete();
    org.awaitility.Awaitility.await()
        .until(() -> client.resources(ContrastiveTrainingRun.class).inNamespace("ml").withName("demo").get() == null);
    ContrastiveTrainingRun run = new ContrastiveTrainingRun();
    run.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace("ml").build());
    run.getSpec().image = "trainer:dev";
    client.resource(run).create();

    ContrastiveTrainingRun withStatus = client.resources(ContrastiveTrainingRun.class).inNamespace("ml").withName("demo").get();
    withStatus.setStatus(new ContrastiveTrainingRunStatus());
    withStatus.getStatus().phase = Phase.Running;
    withStatus.getStatus().message = "all 2 workers running";
    client.resource(withStatus).updateStatus();
  }

  @Test
  void writesProgressAndLeavesTheOperatorsFieldsAlone() throws Exception {
    ProgressStatus progress = new ProgressStatus();
    progress.epoch = 2;
    progress.totalEpochs = 5;
    progress.loss = 4.25;
    progress.knnTop1 = 0.31;
    progress.lastCheckpoint = "/checkpoints/epoch-0002";

    new KubernetesStatusWriter(client, "ml", "demo").write(progress);

    ContrastiveTrainingRunStatus status =
        client.resources(ContrastiveTrainingRun.class).inNamespace("ml").withName("demo").get().getStatus();
    assertThat(status.phase).isEqualTo(Phase.Running);
    assertThat(status.message).isEqualTo("all 2 workers running");
    assertThat(status.progress.epoch).isEqualTo(2);
    assertThat(status.progress.loss).isEqualTo(4.25);
    assertThat(status.progress.lastCheckpoint).isEqualTo("/checkpoints/epoch-0002");
  }

  @Test
  void warningsBecomeEventsOnTheRun() {
    String uid = client.resources(ContrastiveTrainingRun.class).inNamespace("ml").withName("demo").get()
        .getMetadata().getUid();

    new KubernetesStatusWriter(client, "ml", "demo")
        .warn("CheckpointSkipped", "skipping corrupt checkpoint ckpt-e00002-s0000000004: model.params is short");

    assertThat(client.v1().events().inNamespace("ml").list().getItems())
        .filteredOn(event -> uid.equals(event.getInvolvedObject().getUid()))
        .singleElement()
        .satisfies(event -> {
          assertThat(event.getType()).isEqualTo("Warning");
          assertThat(event.getReason()).isEqualTo("CheckpointSkipped");
          assertThat(event.getMessage()).contains("ckpt-e00002-s0000000004");
          assertThat(event.getInvolvedObject().getApiVersion()).isEqualTo("contrastive.dev/v1alpha1");
          assertThat(event.getInvolvedObject().getKind()).isEqualTo("ContrastiveTrainingRun");
          assertThat(event.getInvolvedObject().getName()).isEqualTo("demo");
          assertThat(event.getInvolvedObject().getNamespace()).isEqualTo("ml");
          assertThat(event.getSource().getComponent()).isEqualTo(KubernetesStatusWriter.FIELD_MANAGER);
        });
  }
}
