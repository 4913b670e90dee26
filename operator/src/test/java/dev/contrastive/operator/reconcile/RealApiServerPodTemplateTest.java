package dev.contrastive.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.testing.Fixtures;
import dev.contrastive.operator.testing.OperatorUnderTest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * spec.template on a real kube-apiserver, with the operator under its own RBAC: the pods it creates
 * carry what the template adds and still what the operator owns; a template the operator cannot
 * apply fails the run as InvalidSpec, naming the field, with no pod created. (This server, 1.20,
 * has no CEL, so every refusal here is the operator's own; the CEL rules are TemplateCelRulesTest's.)
 */
class RealApiServerPodTemplateTest extends ClusterBehaviour {

  private static final YAMLMapper YAML = new YAMLMapper();
  @RegisterExtension
  static final OperatorUnderTest operator = OperatorUnderTest.onRealApiServer();

  @Override
  protected KubernetesClient client() {
    return operator.client();
  }

  @Test
  void podsCarryTheTemplateAndStillTheOperatorsFields() throws Exception {
    gpuNode("a", 2);
    gpuNode("b", 2);
    String priority = tag + "-training";
    client().resource(new PriorityClassBuilder().withNewMetadata().withName(priority).endMetadata()
        .withValue(1000).build()).create();
    client().resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("imagenet").withNamespace(namespace)
        .endMetadata().withNewSpec().withAccessModes("ReadOnlyMany")
        .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build()).create();
    client().resource(new SecretBuilder().withNewMetadata().withName("tracking-keys").withNamespace(namespace)
        .endMetadata().addToStringData("WANDB_API_KEY", "k").build()).create();
    ContrastiveTrainingRun run = Fixtures.run("simclr", namespace);
    run.getSpec().resources.gpusPerNode = 2;
    run.getSpec().resources.sharedMemory = "2Gi";
    run.getSpec().template = template("""
        metadata:
          annotations: {sidecar.istio.io/inject: "false", cost-centre: vision}
          labels: {team: vision}
        spec:
          priorityClassName: %s
          schedulerName: gpu-scheduler
          imagePullSecrets: [{name: registry-login}]
          volumes: [{name: imagenet, persistentVolumeClaim: {claimName: imagenet, readOnly: true}}]
          containers:
            - name: trainer
              envFrom: [{secretRef: {name: tracking-keys}}]
              volumeMounts: [{name: imagenet, mountPath: /data/imagenet, readOnly: true}]
        """.formatted(priority));
    create(run);

    List<Pod> pods = awaitPods("simclr", 2);

    for (int rank = 0; rank < 2; rank++) {
      Pod pod = pods.get(rank);
      assertThat(pod.getMetadata().getAnnotations())
          .containsEntry("sidecar.istio.io/inject", "false").containsEntry("cost-centre", "vision");
      assertThat(pod.getMetadata().getLabels()).containsEntry("team", "vision")
          .containsEntry("contrastive.dev/run", "simclr").containsEntry("contrastive.dev/rank", Integer.toString(rank));
      assertThat(pod.getSpec().getPriorityClassName()).isEqualTo(priority);
      assertThat(pod.getSpec().getPriority()).as("admitted with the class's priority").isEqualTo(1000);
      assertThat(pod.getSpec().getSchedulerName()).isEqualTo("gpu-scheduler");
      assertThat(pod.getSpec().getImagePullSecrets()).extracting(s -> s.getName()).containsExactly("registry-login");
      assertThat(pod.getSpec().getVolumes()).filteredOn(v -> v.getPersistentVolumeClaim() != null).singleElement()
          .satisfies(v -> {
        assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("imagenet");
        assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue();
      });
      assertThat(pod.getSpec().getVolumes()).filteredOn(v -> v.getName().equals("dshm")).singleElement()
          .satisfies(v -> {
        assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory");
        assertThat(v.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("2Gi"));
      });
      Container trainer = pod.getSpec().getContainers().get(0);
      assertThat(trainer.getEnvFrom()).extracting(e -> e.getSecretRef().getName()).containsExactly("tracking-keys");
      assertThat(trainer.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/data/imagenet") && m.getReadOnly());
      assertThat(trainer.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/dev/shm"));

      // ... and what the operator owns is still the operator's
      Map<String, EnvVar> env = trainer.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
      assertThat(env.get("NODE_RANK").getValue()).isEqualTo(Integer.toString(rank));
      assertThat(env.get("WORLD_SIZE").getValue()).isEqualTo("4");
      assertThat(env.get("RENDEZVOUS_TOKEN").getValueFrom().getSecretKeyRef().getName()).isEqualTo("simclr-rendezvous");
      assertThat(trainer.getCommand()).containsExactly("trainer");
      assertThat(trainer.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(trainer.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("2"));
      assertThat(pod.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(1000L);
      assertThat(pinnedNode(pod)).isEqualTo(tag + (rank == 0 ? "-a" : "-b"));
    }
  }

  @Test
  void eachForbiddenOverrideFailsTheRunNamingItsFieldAndNoPodIsCreated() throws Exception {
    gpuNode("a", 1);
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("security", "spec: {securityContext: {runAsUser: 0}}");
    cases.put("command", "spec: {containers: [{name: trainer, command: [sh]}]}");
    cases.put("rank", "spec: {containers: [{name: trainer, env: [{name: RANK, value: '0'}]}]}");
    cases.put("gpus", "spec: {containers: [{name: trainer, resources: {limits: {nvidia.com/gpu: '4'}}}]}");
    cases.put("pinning", "spec: {nodeName: elsewhere}");
    cases.put("volume", "spec: {volumes: [{name: checkpoints, emptyDir: {}}]}");
    cases.put("label", "metadata: {labels: {contrastive.dev/rank: '7'}}");
    cases.put("mount", "spec: {containers: [{name: trainer, volumeMounts: [{name: data, mountPath: /data}]}]}");
    Map<String, String> fields = Map.of(
        "security", "spec.template.spec.securityContext",
        "command", "spec.template.spec.containers[trainer].command",
        "rank", "spec.template.spec.containers[trainer].env",
        "gpus", "spec.template.spec.containers[trainer].resources",
        "pinning", "spec.template.spec.nodeName",
        "volume", "spec.template.spec.volumes",
        "label", "spec.template.metadata.labels",
        "mount", "spec.template.spec.containers[trainer].volumeMounts");
    for (Map.Entry<String, String> bad : cases.entrySet()) {
      ContrastiveTrainingRun run = Fixtures.run(bad.getKey(), namespace);
      run.getSpec().template = template(bad.getValue());
      create(run);
    }

    for (String name : cases.keySet()) {
      ContrastiveTrainingRun failed = awaitPhase(name, Phase.Failed);
      assertThat(condition(failed, "Failed").getReason()).isEqualTo("InvalidSpec");
      assertThat(failed.getStatus().message).as(name).startsWith(fields.get(name));
      await().atMost(WAIT).untilAsserted(() -> assertThat(events(name))
          .anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("InvalidSpec");
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).contains(fields.get(name));
          }));
      assertThat(pods(name)).as("no pod of a refused run").isEmpty();
    }
  }

  @Test
  void whatTheApiServerRefusesFailsTheRunWithItsMessageAndLeavesNoPod() throws Exception {
    gpuNode("a", 1);
    gpuNode("b", 1);
    ContrastiveTrainingRun run = Fixtures.run("simclr", namespace);
    // a sidecar without an image: nothing the operator checks, the API server refuses the pod
    run.getSpec().template = template("spec: {containers: [{name: uploader, command: [sh]}]}");
    create(run);

    ContrastiveTrainingRun failed = awaitPhase("simclr", Phase.Failed);

    assertThat(condition(failed, "Failed").getReason()).isEqualTo("InvalidSpec");
    assertThat(failed.getStatus().message).startsWith("spec.template: the API server refused the worker pod")
        .contains("image");
    assertThat(pods("simclr")).isEmpty();
  }

  @Test
  void fixingARefusedTemplateStartsTheRun() throws Exception {
    gpuNode("a", 1);
    ContrastiveTrainingRun run = Fixtures.run("simclr", namespace);
    run.getSpec().template = template("spec: {containers: [{name: trainer, command: [sh]}]}");
    create(run);
    awaitPhase("simclr", Phase.Failed);

    client().resources(ContrastiveTrainingRun.class).inNamespace(namespace).withName("simclr")
        .edit(r -> {
          r.getSpec().template.getSpec().getContainers().get(0).setCommand(null);
          return r;
        });

    Pod pod = awaitPods("simclr", 1).get(0);
    assertThat(pod.getSpec().getContainers().get(0).getCommand()).containsExactly("trainer");
    awaitPhase("simclr", Phase.Pending);
  }

  private String pinnedNode(Pod pod) {
    return pod.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
        .getNodeSelectorTerms().get(0).getMatchFields().get(0).getValues().get(0);
  }

  private static PodTemplateSpec template(String yaml) throws Exception {
    return YAML.readValue(yaml, PodTemplateSpec.class);
  }
}
