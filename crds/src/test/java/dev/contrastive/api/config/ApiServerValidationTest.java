package dev.contrastive.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.naming.RunName;
import dev.contrastive.api.status.ProgressStatus;
import dev.contrastive.api.testing.TestApiServers;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checked-in CRD on a real kube-apiserver (1.20, offline; see ../shared/k8s/README.md): valid
 * runs are stored with schema defaults, wrong ones are refused naming the field, and the local
 * checks (RunFiles + ConfigResolver) refuse the same runs at the same field.
 */
class ApiServerValidationTest {

  static final String NAMESPACE = "default";
  static final YAMLMapper YAML = new YAMLMapper();
  static final String VALID = """
      apiVersion: contrastive.dev/v1alpha1
      kind: ContrastiveTrainingRun
      metadata:
        name: valid
      spec:
        image: registry.example/trainer:1
        dataset:
          type: cifar10
          source: /data/cifar10
        trainer:
          maxEpochs: 3
        optimizer: {}
      """;

  static KubeAPIServer server;
  static KubernetesClient client;
  static final AtomicInteger names = new AtomicInteger();

  @BeforeAll
  static void startApiServerWithTheCrd() {
    server = TestApiServers.start();
    client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(server.getKubeConfigYaml())).build();
    CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions()
        .load(Path.of("contrastivetrainingruns.contrastive.dev-v1.yml").toFile()).item();
    client.resource(crd).create();
    client.apiextensions().v1().customResourceDefinitions().withName(ContrastiveTrainingRun.CRD_NAME)
        .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions() != null && c.getStatus().getConditions().stream()
            .anyMatch(cond -> cond.getType().equals("Established") && cond.getStatus().equals("True")),
            30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopApiServer() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void validRunIsStoredWithSchemaDefaults() {
    ContrastiveTrainingRun created = client.resource(RunFiles.parse(VALID, "valid.yaml")).inNamespace(NAMESPACE).create();

    ContrastiveTrainingRun stored = client.resources(ContrastiveTrainingRun.class).inNamespace(NAMESPACE)
        .withName(created.getMetadata().getName()).get();
    assertThat(stored.getSpec().optimizer.type).isEqualTo("lars");
    assertThat(stored.getSpec().trainer.batchSizePerWorker).isEqualTo(256);
    assertThat(stored.getSpec().trainer.maxEpochs).isEqualTo(3);
  }

  @Test
  void kubectlGetShowsTheTrainersDownloadLineInTheMessageColumn() throws Exception {
    ContrastiveTrainingRun run = RunFiles.parse(VALID, "valid.yaml");
    run.getMetadata().setName("downloading");
    client.resource(run).inNamespace(NAMESPACE).create();
    ObjectNode status = (ObjectNode) YAML.readTree("""
        status:
          progress:
            message: "downloading ILSVRC/imagenet-1k: 12/294 shards, 6.3 GB of 155 GB, 110 MB/s, 22 min left"
        """);
    client.resources(ContrastiveTrainingRun.class).inNamespace(NAMESPACE).withName("downloading").subresource("status")
        .patch(new io.fabric8.kubernetes.client.dsl.base.PatchContext.Builder()
            .withPatchType(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE).build(), status.toString());

    // what kubectl get asks for: the server's table of the CRD's printer columns
    var http = client.getHttpClient();
    var request = http.newHttpRequestBuilder()
        .uri(client.getMasterUrl() + "apis/contrastive.dev/v1alpha1/namespaces/" + NAMESPACE
            + "/contrastivetrainingruns/downloading")
        .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
        .build();
    JsonNode table = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(http.sendAsync(request, String.class).get(30, TimeUnit.SECONDS).body());
    java.util.List<String> columns = new java.util.ArrayList<>();
    table.get("columnDefinitions").forEach(c -> columns.add(c.get("name").asText()));
    JsonNode cells = table.get("rows").get(0).get("cells");

    assertThat(columns).endsWith("Age", "Message");
    assertThat(cells.get(columns.indexOf("Message")).asText())
        .isEqualTo("downloading ILSVRC/imagenet-1k: 12/294 shards, 6.3 GB of 155 GB, 110 MB/s, 22 min left");
  }

  @Test
  void templateIsStoredAsAPodTemplateWithItsVolumesEnvAndResources() throws Exception {
    ObjectNode run = (ObjectNode) YAML.readTree(VALID);
    ((ObjectNode) run.get("metadata")).put("name", "with-template");
    ((ObjectNode) run.get("spec")).set("template", YAML.readTree("""
        metadata: {labels: {team: vision}, annotations: {sidecar.istio.io/inject: "false"}}
        spec:
          priorityClassName: training
          imagePullSecrets: [{name: registry-login}]
          volumes: [{name: imagenet, persistentVolumeClaim: {claimName: imagenet, readOnly: true}}]
          containers:
            - name: trainer
              envFrom: [{secretRef: {name: tracking-keys}}]
              volumeMounts: [{name: imagenet, mountPath: /data, readOnly: true}]
              resources: {limits: {hugepages-2Mi: 1Gi}}
        """));
    client.resource(Serialization.unmarshal(YAML.writeValueAsString(run), GenericKubernetesResource.class))
        .inNamespace(NAMESPACE).create();

    var template = client.resources(ContrastiveTrainingRun.class).inNamespace(NAMESPACE).withName("with-template")
        .get().getSpec().template;
    assertThat(template.getMetadata().getAnnotations()).containsEntry("sidecar.istio.io/inject", "false");
    assertThat(template.getSpec().getVolumes()).singleElement()
        .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue());
    var trainer = template.getSpec().getContainers().get(0);
    assertThat(trainer.getEnvFrom()).singleElement()
        .satisfies(e -> assertThat(e.getSecretRef().getName()).isEqualTo("tracking-keys"));
    assertThat(trainer.getResources().getLimits()).containsKey("hugepages-2Mi");
    assertThat(template.getSpec().getImagePullSecrets()).singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo("registry-login"));
  }

  @Test
  void templateOfTheWrongShapeIsRefusedNamingTheField() throws Exception {
    String yaml = withSpecValue("/template", "{spec: {volumes: [{name: data, persistentVolumeClaim: {readOnly: yes-please}}]}}");

    assertThatThrownBy(() -> client.resource(Serialization.unmarshal(yaml, GenericKubernetesResource.class))
            .inNamespace(NAMESPACE).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getMessage()).contains("spec.template.spec.volumes.persistentVolumeClaim.readOnly");
        });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      negative maxEpochs         | /trainer/maxEpochs           | -1         | spec.trainer.maxEpochs
      fractional maxEpochs       | /trainer/maxEpochs           | 3.5        | spec.trainer.maxEpochs
      unknown optimizer type     | /optimizer/type              | "rmsprop"  | spec.optimizer.type
      lr as text                 | /optimizer/lr                | "fast"     | spec.optimizer.lr
      missing image              | /image                       |            | spec.image
      batchSizePerWorker 1       | /trainer/batchSizePerWorker  | 1          | spec.trainer.batchSizePerWorker
      temperature 0              | /loss/temperature            | 0          | spec.loss.temperature
      gpusPerNode 17             | /resources/gpusPerNode       | 17         | spec.resources.gpusPerNode
      bad cleanPodPolicy         | /runPolicy/cleanPodPolicy    | "Sometimes"| spec.runPolicy.cleanPodPolicy
      unknown dataset type       | /dataset/type                | "mnist"    | spec.dataset.type
      bad imagePullPolicy        | /imagePullPolicy             | "Sometimes"| spec.imagePullPolicy
      unknown ResNet stem        | /architecture/stem           | "vgg"      | spec.architecture.stem
      unknown architecture preset| /architecture/preset         | "resnet19" | spec.architecture.preset
      unknown encoder family     | /architecture/family         | "vgg"      | spec.architecture.family
      width 8 (below 16)         | /architecture/width          | 8          | spec.architecture.width
      relative mountPath         | /checkpoint/mountPath        | "ckpt"     | spec.checkpoint.mountPath
      flip probability over 1    | /augmentation/flipProbability| 1.5        | spec.augmentation.flipProbability
      memory not a quantity      | /resources/memory            | "lots"     | spec.resources.memory
      """)
  void wrongRunIsRefusedByServerAndLocallyNamingTheField(String name, String pointer, String value, String field)
      throws Exception {
    String yaml = withSpecValue(pointer, value);

    assertThatThrownBy(() -> client.resource(Serialization.unmarshal(yaml, GenericKubernetesResource.class))
            .inNamespace(NAMESPACE).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getMessage()).contains(field + ": ");
        });
    assertThatThrownBy(() -> ConfigResolver.resolve(RunFiles.parse(yaml, "bad.yaml").getSpec()))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo(field));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      52 characters, one too many for its workers | rxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx9
      a dot, which a Service name cannot hold      | sim.clr
      a leading digit                              | 1simclr
      """)
  void aRunNameThatCannotNameItsObjectsIsRefusedNamingMetadataName(String why, String name) throws Exception {
    ObjectNode run = (ObjectNode) YAML.readTree(VALID);
    ((ObjectNode) run.get("metadata")).put("name", name);

    assertThatThrownBy(() -> client.resource(Serialization.unmarshal(YAML.writeValueAsString(run),
            GenericKubernetesResource.class)).inNamespace(NAMESPACE).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getMessage()).contains("metadata.name");
        });
  }

  @Test
  void theLongestAllowedRunNameIsStored() throws Exception {
    ObjectNode run = (ObjectNode) YAML.readTree(VALID);
    String longest = "r" + "x".repeat(RunName.MAX_LENGTH - 2) + "9";
    ((ObjectNode) run.get("metadata")).put("name", longest);

    client.resource(Serialization.unmarshal(YAML.writeValueAsString(run), GenericKubernetesResource.class))
        .inNamespace(NAMESPACE).create();

    assertThat(client.resources(ContrastiveTrainingRun.class).inNamespace(NAMESPACE).withName(longest).get()).isNotNull();
  }

  static Stream<Arguments> statusBeyondItsBounds() {
    return Stream.of(
        Arguments.of("negative step", Map.of("progress", Map.of("step", -1)), "status.progress.step"),
        Arguments.of("negative epoch", Map.of("progress", Map.of("epoch", -3)), "status.progress.epoch"),
        Arguments.of("negative images/s", Map.of("progress", Map.of("imagesPerSecond", -5.0)),
            "status.progress.imagesPerSecond"),
        Arguments.of("kNN top-1 over 1", Map.of("progress", Map.of("knnTop1", 1.5)), "status.progress.knnTop1"),
        Arguments.of("a 1025-character checkpoint path",
            Map.of("progress", Map.of("lastCheckpoint", "/" + "c".repeat(1024))), "status.progress.lastCheckpoint"),
        Arguments.of("a 513-character message", Map.of("progress", Map.of("message", "m".repeat(513))),
            "status.progress.message"),
        Arguments.of("a 65-character time", Map.of("progress", Map.of("updatedAt", "2026-12-02T07:00:00Z" + "0".repeat(45))),
            "status.progress.updatedAt"),
        Arguments.of("1025 nodes", Map.of("workers", Map.of("nodes", Collections.nCopies(1025, "gpu-node"))),
            "status.workers.nodes"),
        Arguments.of("17 conditions", Map.of("conditions", Collections.nCopies(17, Map.of("type", "Ready",
            "status", "True", "reason", "Forged", "message", "x", "lastTransitionTime", "2026-12-02T07:00:00Z"))),
            "status.conditions"));
  }

  /** What trainer rank 0 may write (it may patch the whole status): a forged status cannot fill the object. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("statusBeyondItsBounds")
  void aStatusBeyondItsBoundsIsRefusedNamingTheField(String why, Map<String, Object> status, String field)
      throws Exception {
    String run = "status-" + names.incrementAndGet();
    client.resource(RunFiles.parse(withName(run), "run.yaml")).inNamespace(NAMESPACE).create();

    assertThatThrownBy(() -> client.resources(ContrastiveTrainingRun.class).inNamespace(NAMESPACE).withName(run)
            .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status))))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getMessage()).contains(field);
        });
  }

  @Test
  void progressWithinItsBoundsIsStored() throws Exception {
    ContrastiveTrainingRun created = client.resource(RunFiles.parse(
        withName("progress-ok"), "run.yaml")).inNamespace(NAMESPACE).create();
    ProgressStatus progress = new ProgressStatus();
    progress.epoch = 2;
    progress.step = 0L;
    progress.knnTop1 = 1.0;
    progress.imagesPerSecond = 0.0;
    progress.lastCheckpoint = "/" + "c".repeat(ProgressStatus.PATH_MAX_LENGTH - 1);
    progress.message = "m".repeat(ProgressStatus.MESSAGE_MAX_LENGTH);
    progress.updatedAt = "2026-12-02T07:00:00.123456789+01:00";

    client.resources(ContrastiveTrainingRun.class).inNamespace(NAMESPACE).withName(created.getMetadata().getName())
        .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(Map.of("status", Map.of("progress", progress))));

    assertThat(client.resources(ContrastiveTrainingRun.class).inNamespace(NAMESPACE).withName("progress-ok").get()
        .getStatus().progress.lastCheckpoint).hasSize(ProgressStatus.PATH_MAX_LENGTH);
  }

  static String withName(String name) throws Exception {
    ObjectNode run = (ObjectNode) YAML.readTree(VALID);
    ((ObjectNode) run.get("metadata")).put("name", name);
    return YAML.writeValueAsString(run);
  }

  /** The valid run under a fresh name, with one spec value set (or removed when value is null). */
  static String withSpecValue(String pointer, String value) throws Exception {
    ObjectNode run = (ObjectNode) YAML.readTree(VALID);
    ((ObjectNode) run.get("metadata")).put("name", "bad-" + names.incrementAndGet());
    int slash = pointer.lastIndexOf('/');
    ObjectNode parent = run.withObject("/spec" + pointer.substring(0, slash));
    String key = pointer.substring(slash + 1);
    if (value == null) {
      parent.remove(key);
    } else {
      JsonNode node = YAML.readTree(value);
      parent.set(key, node);
    }
    return YAML.writeValueAsString(run);
  }
}
