package dev.contrastive.local.pods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.contrastive.local.SharedApiServer;
import dev.contrastive.local.nodes.SimulatedNodes;
import dev.contrastive.operator.plan.RunNames;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pod runner against a real kube-apiserver, with pods whose container is a shell script. */
class PodRunnerTest {

  private static KubernetesClient client;

  @TempDir
  Path workDir;

  private String namespace;
  private PodRunner runner;

  @BeforeAll
  static void server() throws Exception {
    client = SharedApiServer.real().client();
    if (client.nodes().withName(SimulatedNodes.name(0)).get() == null) {
      SimulatedNodes.create(client, 2);
    }
  }

  @BeforeEach
  void startRunner() {
    namespace = TestPods.namespace(client);
    runner = new PodRunner(client, TestPods.commands(), workDir, workDir, System.out).start();
  }

  @AfterEach
  void stopRunner() {
    runner.close();
  }

  @Test
  void containerEnvComesFromValuesSecretsConfigMapsAndTheDownwardApi() throws Exception {
    client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName("token")
        .endMetadata().addToStringData("token", "s3cret").build()).create();
    client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata().withName("cfg")
        .endMetadata().addToData("epochs", "7").build()).create();
    Pod pod = client.resource(TestPods.shell(namespace, "env", "echo \"$RANK|$TOKEN|$EPOCHS|$POD_IP|$NAME|$NS|$MASTER_ADDR\"")
        .editSpec().editFirstContainer()
          .addNewEnv().withName("RANK").withValue("1").endEnv()
          .addNewEnv().withName("TOKEN").withNewValueFrom().withNewSecretKeyRef("token", "token", false).endValueFrom().endEnv()
          .addNewEnv().withName("EPOCHS").withNewValueFrom().withNewConfigMapKeyRef("epochs", "cfg", false).endValueFrom().endEnv()
          .addNewEnv().withName("POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP").endFieldRef().endValueFrom().endEnv()
          .addNewEnv().withName("NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().endEnv()
          .addNewEnv().withName("NS").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.namespace").endFieldRef().endValueFrom().endEnv()
          .addNewEnv().withName("MASTER_ADDR").withValue("run-0.run.default.svc.cluster.local").endEnv()
        .endContainer().endSpec().build()).create();

    await().atMost(Duration.ofSeconds(20)).until(() -> "Succeeded".equals(TestPods.phase(client, pod)));
    assertThat(Files.readString(runner.logFile(client.resource(pod).get())).trim())
        .isEqualTo("1|s3cret|7|127.0.0.1|env|" + namespace + "|127.0.0.1");
  }

  @Test
  void eachRunGetsALocalMasterPortOfItsOwnSharedByItsPods() throws Exception {
    Pod a0 = client.resource(masterPortPod("a-0", "run-a")).create();
    Pod a1 = client.resource(masterPortPod("a-1", "run-a")).create();
    Pod b0 = client.resource(masterPortPod("b-0", "run-b")).create();

    await().atMost(Duration.ofSeconds(20)).until(() -> Stream.of(a0, a1, b0)
        .allMatch(pod -> "Succeeded".equals(TestPods.phase(client, pod))));
    String portA0 = Files.readString(runner.logFile(client.resource(a0).get())).trim();
    String portA1 = Files.readString(runner.logFile(client.resource(a1).get())).trim();
    String portB0 = Files.readString(runner.logFile(client.resource(b0).get())).trim();

    assertThat(portA0).matches("[0-9]+").isEqualTo(portA1).isNotEqualTo(portB0);
    assertThat(portB0).matches("[0-9]+");
  }

  private Pod masterPortPod(String name, String run) {
    return TestPods.shell(namespace, name, "echo \"$MASTER_PORT\"")
        .editMetadata().addToLabels(RunNames.RUN_LABEL, run).endMetadata()
        .editSpec().editFirstContainer().addNewEnv().withName("MASTER_PORT").withValue("29500").endEnv()
        .endContainer().endSpec().build();
  }

  @Test
  void configMapVolumeIsWrittenAndPathsUnderItsMountPathPointThere() throws Exception {
    client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata().withName("run-config")
        .endMetadata().addToData("config.yaml", "checkpoint:\n  mountPath: /checkpoints\n").build()).create();
    Pod pod = client.resource(TestPods.shell(namespace, "config", "cat \"$CONFIG_FILE\"")
        .editSpec()
          .addNewVolume().withName("config").withNewConfigMap().withName("run-config").endConfigMap().endVolume()
          .addNewVolume().withName("checkpoints").withNewEmptyDir().endEmptyDir().endVolume()
          .editFirstContainer()
            .addNewEnv().withName("CONFIG_FILE").withValue("/etc/contrastive/config.yaml").endEnv()
            .addNewVolumeMount().withName("config").withMountPath("/etc/contrastive").endVolumeMount()
            .addNewVolumeMount().withName("checkpoints").withMountPath("/checkpoints").endVolumeMount()
          .endContainer()
        .endSpec().build()).create();

    await().atMost(Duration.ofSeconds(20)).until(() -> "Succeeded".equals(TestPods.phase(client, pod)));
    String config = Files.readString(runner.logFile(client.resource(pod).get()));
    assertThat(config).contains("mountPath: " + workDir.toAbsolutePath()).doesNotContain("mountPath: /checkpoints");
  }

  @Test
  void emptyDirOfARunOutlivesItsPodSoARestartedGangFindsTheCheckpoint() {
    Map<String, String> run = Map.of(LocalVolumes.RUN_LABEL, "demo");
    Pod writer = client.resource(withCheckpointVolume(TestPods.shell(namespace, "writer", "echo 42 > \"$CHECKPOINTS/step\""), run)).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> "Succeeded".equals(TestPods.phase(client, writer)));

    Pod reader = client.resource(withCheckpointVolume(TestPods.shell(namespace, "reader",
        "test \"$(cat \"$CHECKPOINTS/step\")\" = 42"), run)).create();

    await().atMost(Duration.ofSeconds(20)).until(() -> "Succeeded".equals(TestPods.phase(client, reader)));
  }

  private static Pod withCheckpointVolume(io.fabric8.kubernetes.api.model.PodBuilder pod, Map<String, String> labels) {
    return pod.editMetadata().addToLabels(labels).endMetadata()
        .editSpec()
          .addNewVolume().withName("checkpoints").withNewEmptyDir().endEmptyDir().endVolume()
          .editFirstContainer()
            .addNewEnv().withName("CHECKPOINTS").withValue("/checkpoints").endEnv()
            .addNewVolumeMount().withName("checkpoints").withMountPath("/checkpoints").endVolumeMount()
          .endContainer()
        .endSpec().build();
  }

  @Test
  void envFromSecretsAndConfigMapsComesFirstAndEnvWinsAndRefersToEarlierVariables() throws Exception {
    client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName("keys")
        .endMetadata().addToStringData("API_KEY", "k1").addToStringData("RANK", "from-secret")
        .addToStringData("1st", "skipped").build()).create();
    client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata().withName("settings")
        .endMetadata().addToData("MODE", "fast").build()).create();
    Pod pod = client.resource(TestPods.shell(namespace, "envfrom", "echo \"$API_KEY|$RANK|$CFG_MODE|$SHARD|$COST\"")
        .editSpec().editFirstContainer()
          .addNewEnvFrom().withNewSecretRef().withName("keys").endSecretRef().endEnvFrom()
          .addNewEnvFrom().withPrefix("CFG_").withNewConfigMapRef().withName("settings").endConfigMapRef().endEnvFrom()
          .addNewEnvFrom().withNewSecretRef().withName("absent").withOptional(true).endSecretRef().endEnvFrom()
          .addNewEnv().withName("RANK").withValue("3").endEnv()
          .addNewEnv().withName("SHARD").withValue("shard-$(RANK)-$(CFG_MODE)-$(UNKNOWN)").endEnv()
          .addNewEnv().withName("COST").withValue("$$(RANK)").endEnv()
        .endContainer().endSpec().build()).create();

    await().atMost(Duration.ofSeconds(20)).until(() -> "Succeeded".equals(TestPods.phase(client, pod)));
    assertThat(Files.readString(runner.logFile(client.resource(pod).get())).trim())
        .isEqualTo("k1|3|fast|shard-3-fast-$(UNKNOWN)|$(RANK)");
  }

  @Test
  void hostPathIsThatPathHereAndSecretVolumesAndSubPathsAreFolders() throws Exception {
    Path data = Files.createDirectories(workDir.resolve("host-data/imagenet"));
    Files.writeString(data.resolve("train.txt"), "images\n");
    client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName("hf")
        .endMetadata().addToStringData("token", "hf_123").build()).create();
    Pod pod = client.resource(TestPods.shell(namespace, "hostpath",
            "cat \"$DATA/train.txt\"; cat \"$TOKEN_FILE\"; echo; touch \"$SCRATCH/x\" && echo \"$SCRATCH\"")
        .editSpec()
          .addNewVolume().withName("data").withNewHostPath().withPath(data.getParent().toString()).withType("Directory")
            .endHostPath().endVolume()
          .addNewVolume().withName("hf").withNewSecret().withSecretName("hf").endSecret().endVolume()
          .addNewVolume().withName("scratch").withNewEmptyDir().withMedium("Memory").endEmptyDir().endVolume()
          .editFirstContainer()
            .addNewEnv().withName("DATA").withValue("/data").endEnv()
            .addNewEnv().withName("TOKEN_FILE").withValue("/var/run/hf/token").endEnv()
            .addNewEnv().withName("SCRATCH").withValue("/dev/shm").endEnv()
            .addNewVolumeMount().withName("data").withMountPath("/data").withSubPath("imagenet").withReadOnly(true)
              .endVolumeMount()
            .addNewVolumeMount().withName("hf").withMountPath("/var/run/hf").endVolumeMount()
            .addNewVolumeMount().withName("scratch").withMountPath("/dev/shm").endVolumeMount()
          .endContainer()
        .endSpec().build()).create();

    await().atMost(Duration.ofSeconds(20)).until(() -> "Succeeded".equals(TestPods.phase(client, pod)));
    List<String> lines = Files.readAllLines(runner.logFile(client.resource(pod).get()));
    assertThat(lines).hasSize(3);
    assertThat(lines.subList(0, 2)).containsExactly("images", "hf_123");
    assertThat(lines.get(2)).startsWith(workDir.toAbsolutePath().toString());
  }

  @Test
  void aMissingHostPathDirectoryKeepsThePodPendingNamingIt() {
    Pod pod = client.resource(TestPods.shell(namespace, "nohost", "exit 0")
        .editSpec()
          .addNewVolume().withName("data").withNewHostPath().withPath(workDir.resolve("absent").toString())
            .withType("Directory").endHostPath().endVolume()
          .editFirstContainer().addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount().endContainer()
        .endSpec().build()).create();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(waitingReason(pod))
        .contains("CreateContainerConfigError").contains(workDir.resolve("absent").toString()));
    assertThat(TestPods.phase(client, pod)).isEqualTo("Pending");
  }

  @Test
  void aMissingSecretKeepsThePodPendingWithTheReasonUntilTheSecretExists() {
    Pod pod = client.resource(TestPods.shell(namespace, "needs-secret", "echo \"$KEY\"")
        .editSpec().editFirstContainer()
          .addNewEnvFrom().withNewSecretRef().withName("late").endSecretRef().endEnvFrom()
        .endContainer().endSpec().build()).create();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(waitingReason(pod))
        .isEqualTo("CreateContainerConfigError: secret \"late\" not found (envFrom)"));
    assertThat(TestPods.phase(client, pod)).isEqualTo("Pending");

    client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName("late")
        .endMetadata().addToStringData("KEY", "arrived").build()).create();

    await().atMost(Duration.ofSeconds(20)).until(() -> "Succeeded".equals(TestPods.phase(client, pod)));
    assertThat(runner.logFile(client.resource(pod).get())).content().isEqualToIgnoringNewLines("arrived");
  }

  private String waitingReason(Pod pod) {
    Pod now = client.resource(pod).get();
    if (now.getStatus() == null || now.getStatus().getContainerStatuses().isEmpty()
        || now.getStatus().getContainerStatuses().get(0).getState().getWaiting() == null) {
      return "";
    }
    var waiting = now.getStatus().getContainerStatuses().get(0).getState().getWaiting();
    return waiting.getReason() + ": " + waiting.getMessage();
  }

  @Test
  void failedContainerLeavesPodFailedWithItsExitCodeAfterRunning() {
    Pod pod = client.resource(TestPods.shell(namespace, "fails", "sleep 1; exit 3").build()).create();

    await().atMost(Duration.ofSeconds(20)).until(() -> "Running".equals(TestPods.phase(client, pod)));
    Pod running = client.resource(pod).get();
    assertThat(running.getStatus().getPodIP()).isEqualTo("127.0.0.1");
    assertThat(running.getStatus().getConditions())
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    assertThat(running.getSpec().getNodeName()).startsWith("gpu-node-");

    await().atMost(Duration.ofSeconds(20)).until(() -> "Failed".equals(TestPods.phase(client, pod)));
    ContainerStatus container = client.resource(pod).get().getStatus().getContainerStatuses().get(0);
    assertThat(container.getState().getTerminated().getExitCode()).isEqualTo(3);
    assertThat(container.getState().getTerminated().getReason()).isEqualTo("Error");
  }

  @Test
  void containerExitingZeroLeavesPodSucceeded() {
    Pod pod = client.resource(TestPods.shell(namespace, "works", "exit 0").build()).create();

    await().atMost(Duration.ofSeconds(20)).until(() -> "Succeeded".equals(TestPods.phase(client, pod)));
    assertThat(client.resource(pod).get().getStatus().getContainerStatuses().get(0).getState().getTerminated()
        .getExitCode()).isZero();
  }

  @Test
  void deletingAPodKillsItsProcessAndFinishesTheDeletion() throws Exception {
    Pod pod = client.resource(TestPods.shell(namespace, "sleeper", "echo $$; exec sleep 300").build()).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> "Running".equals(TestPods.phase(client, pod)));
    Path log = runner.logFile(client.resource(pod).get());
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log) && !Files.readString(log).isBlank());
    long pid = Long.parseLong(Files.readString(log).trim());

    client.resource(pod).delete();

    await().atMost(Duration.ofSeconds(15)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    await().atMost(Duration.ofSeconds(15)).until(() -> client.resource(pod).get() == null);
  }

  @Test
  void podPinnedByNodeAffinityRunsOnThatNode() {
    Pod pod = client.resource(TestPods.shell(namespace, "pinned", "exit 0")
        .editSpec().withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
          .addNewNodeSelectorTerm().addNewMatchExpression()
            .withKey(SimulatedNodes.HOSTNAME_LABEL).withOperator("In").withValues(SimulatedNodes.name(1))
          .endMatchExpression().endNodeSelectorTerm()
        .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec()
        .build()).create();

    await().atMost(Duration.ofSeconds(20)).until(() -> "Succeeded".equals(TestPods.phase(client, pod)));
    assertThat(client.resource(pod).get().getSpec().getNodeName()).isEqualTo(SimulatedNodes.name(1));
  }
}
