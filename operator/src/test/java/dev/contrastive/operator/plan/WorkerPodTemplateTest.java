package dev.contrastive.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.pod.OperatorOwnedFields;
import dev.contrastive.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerPodTemplateTest {

  private static final YAMLMapper YAML = new YAMLMapper();

  /** What a user of a real cluster adds: data, a secret, a private registry, scheduling hints. */
  static final String TEMPLATE = """
      metadata:
        labels: {team: vision}
        annotations: {sidecar.istio.io/inject: "false"}
      spec:
        priorityClassName: training
        schedulerName: volcano
        runtimeClassName: nvidia
        imagePullSecrets: [{name: registry-login}]
        topologySpreadConstraints:
          - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway}
        tolerations: [{key: dedicated, operator: Equal, value: ml, effect: NoSchedule}]
        affinity:
          nodeAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
              nodeSelectorTerms:
                - matchExpressions: [{key: zone, operator: In, values: [a]}]
                - matchExpressions: [{key: zone, operator: In, values: [b]}]
            preferredDuringSchedulingIgnoredDuringExecution:
              - weight: 10
                preference: {matchExpressions: [{key: fast-disk, operator: Exists}]}
          podAntiAffinity:
            preferredDuringSchedulingIgnoredDuringExecution:
              - weight: 1
                podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {team: vision}}}
        volumes:
          - {name: imagenet, persistentVolumeClaim: {claimName: imagenet, readOnly: true}}
          - {name: hf-token, secret: {secretName: hf-token}}
        initContainers:
          - {name: check-data, image: busybox, command: [ls, /data], volumeMounts: [{name: imagenet, mountPath: /data}]}
        containers:
          - name: trainer
            env: [{name: DATA_ROOT, value: /data/imagenet}, {name: SHARD, value: "$(RANK)"}]
            envFrom: [{secretRef: {name: tracking-keys}}]
            volumeMounts:
              - {name: imagenet, mountPath: /data/imagenet, readOnly: true}
              - {name: hf-token, mountPath: /var/run/hf}
            resources: {limits: {hugepages-2Mi: 1Gi, rdma/hca: "1"}}
            workingDir: /tmp
          - name: uploader
            image: busybox
            command: [sh, -c, "sleep 1"]
            volumeMounts: [{name: checkpoints, mountPath: /checkpoints, readOnly: true}]
      """;

  private final ContrastiveTrainingRun run = Fixtures.run("simclr", "team-a");
  private final World world = World.pinned(List.of("gpu-a", "gpu-b"));

  @Test
  void theTemplateReachesEveryPodAndTheOperatorsFieldsStay() throws Exception {
    run.getSpec().template = template(TEMPLATE);
    run.getSpec().resources.gpusPerNode = 2;
    run.getSpec().resources.memory = "8Gi";
    Pod plain = withoutTemplate(1);
    Pod pod = WorkerPods.pod(run, world, 1);

    assertThat(pod.getMetadata().getLabels()).containsEntry("team", "vision")
        .containsAllEntriesOf(plain.getMetadata().getLabels());
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("sidecar.istio.io/inject", "false");
    assertThat(pod.getMetadata().getOwnerReferences()).isEqualTo(plain.getMetadata().getOwnerReferences());
    assertThat(pod.getSpec().getPriorityClassName()).isEqualTo("training");
    assertThat(pod.getSpec().getSchedulerName()).isEqualTo("volcano");
    assertThat(pod.getSpec().getRuntimeClassName()).isEqualTo("nvidia");
    assertThat(pod.getSpec().getImagePullSecrets()).extracting(s -> s.getName()).containsExactly("registry-login");
    assertThat(pod.getSpec().getTopologySpreadConstraints()).hasSize(1);
    assertThat(pod.getSpec().getVolumes()).extracting(Volume::getName)
        .containsExactly("config", "tmp", "djl-cache", "checkpoints", "hf-cache", "imagenet", "hf-token");
    assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName).containsExactly("check-data");
    assertThat(pod.getSpec().getContainers()).extracting(Container::getName).containsExactly("trainer", "uploader");
    // the operator's pod fields are all still there
    assertThat(pod.getSpec().getSecurityContext()).isEqualTo(plain.getSpec().getSecurityContext());
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo(plain.getSpec().getServiceAccountName());
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getSpec().getHostname()).isEqualTo(plain.getSpec().getHostname());
    assertThat(pod.getSpec().getSubdomain()).isEqualTo(plain.getSpec().getSubdomain());

    Container trainer = pod.getSpec().getContainers().get(0);
    Container own = plain.getSpec().getContainers().get(0);
    assertThat(trainer.getCommand()).isEqualTo(own.getCommand());
    assertThat(trainer.getArgs()).isEqualTo(own.getArgs());
    assertThat(trainer.getImage()).isEqualTo(own.getImage());
    assertThat(trainer.getSecurityContext()).isEqualTo(own.getSecurityContext());
    assertThat(trainer.getPorts()).isEqualTo(own.getPorts());
    assertThat(trainer.getWorkingDir()).isEqualTo("/tmp");
    // the operator's env first, so the template's may refer to it; envFrom cannot override it
    assertThat(trainer.getEnv()).startsWith(own.getEnv().toArray(EnvVar[]::new));
    assertThat(trainer.getEnv()).extracting(EnvVar::getName).endsWith("DATA_ROOT", "SHARD");
    assertThat(trainer.getEnvFrom()).extracting(e -> e.getSecretRef().getName()).containsExactly("tracking-keys");
    assertThat(trainer.getVolumeMounts()).startsWith(own.getVolumeMounts().toArray(new io.fabric8.kubernetes.api.model.VolumeMount[0]));
    assertThat(trainer.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/data/imagenet") && m.getReadOnly());
    assertThat(trainer.getResources().getLimits())
        .containsEntry("nvidia.com/gpu", new Quantity("2"))
        .containsEntry("memory", new Quantity("8Gi"))
        .containsEntry("hugepages-2Mi", new Quantity("1Gi"))
        .containsEntry("rdma/hca", new Quantity("1"));
    assertThat(trainer.getResources().getRequests()).isEqualTo(own.getResources().getRequests());
  }

  @Test
  void aRequiredNodeAffinityIsAndedWithTheNodePinningInEveryTerm() throws Exception {
    run.getSpec().template = template(TEMPLATE);
    Pod pod = WorkerPods.pod(run, world, 1);

    var nodeAffinity = pod.getSpec().getAffinity().getNodeAffinity();
    List<NodeSelectorTerm> terms = nodeAffinity.getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
    assertThat(terms).hasSize(2).allSatisfy(term -> {
      assertThat(term.getMatchFields()).singleElement().satisfies(f -> {
        assertThat(f.getKey()).isEqualTo("metadata.name");
        assertThat(f.getValues()).containsExactly("gpu-b");
      });
      assertThat(term.getMatchExpressions()).singleElement().satisfies(e -> assertThat(e.getKey()).isEqualTo("zone"));
    });
    assertThat(nodeAffinity.getPreferredDuringSchedulingIgnoredDuringExecution()).hasSize(1);
    assertThat(pod.getSpec().getAffinity().getPodAntiAffinity()).isNotNull();
  }

  @Test
  void withoutARequiredTermOfItsOwnThePinningIsTheRequirement() throws Exception {
    run.getSpec().template = template("""
        spec:
          affinity:
            podAffinity:
              preferredDuringSchedulingIgnoredDuringExecution:
                - {weight: 1, podAffinityTerm: {topologyKey: zone}}
        """);
    Pod pod = WorkerPods.pod(run, world, 0);

    assertThat(pod.getSpec().getAffinity().getNodeAffinity())
        .isEqualTo(withoutTemplate(0).getSpec().getAffinity().getNodeAffinity());
    assertThat(pod.getSpec().getAffinity().getPodAffinity()).isNotNull();
  }

  @Test
  void cpuWorkersTakeTheTemplatesAffinityAsWritten() throws Exception {
    run.getSpec().resources.gpusPerNode = 0;
    run.getSpec().template = template(TEMPLATE);
    Pod pod = WorkerPods.pod(run, World.unpinned(2), 0);

    assertThat(pod.getSpec().getAffinity()).isEqualTo(run.getSpec().template.getSpec().getAffinity());
  }

  @Test
  void tolerationsOfSpecAndTemplateBothApplyAndThePlannerUsesBoth() throws Exception {
    run.getSpec().tolerations = List.of(new io.fabric8.kubernetes.api.model.TolerationBuilder()
        .withKey("nvidia.com/gpu").withOperator("Exists").withEffect("NoSchedule").build());
    run.getSpec().template = template(TEMPLATE);

    assertThat(WorkerPods.pod(run, world, 0).getSpec().getTolerations()).extracting(t -> t.getKey())
        .containsExactly("nvidia.com/gpu", "dedicated");
    var node = Fixtures.tainted(Fixtures.tainted(Fixtures.gpuNode("gpu-a", 1).build(), "nvidia.com/gpu", "NoSchedule"),
        "dedicated", "NoSchedule");
    node.getSpec().getTaints().get(1).setValue("ml");
    assertThat(WorldPlanner.isEligible(node, run.getSpec())).isTrue();
  }

  @Test
  void sharedMemoryIsAMemoryBackedEmptyDirAtDevShmOfTheSpecsSize() {
    run.getSpec().resources.sharedMemory = "8Gi";
    Pod pod = WorkerPods.pod(run, world, 0);

    Volume shm = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals("dshm")).findFirst().orElseThrow();
    assertThat(shm.getEmptyDir().getMedium()).isEqualTo("Memory");
    assertThat(shm.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("8Gi"));
    assertThat(pod.getSpec().getContainers().get(0).getVolumeMounts())
        .anyMatch(m -> m.getName().equals("dshm") && m.getMountPath().equals("/dev/shm") && !m.getReadOnly());
  }

  @Test
  void noSharedMemoryVolumeUnlessAsked() {
    assertThat(WorkerPods.pod(run, world, 0).getSpec().getVolumes()).extracting(Volume::getName).doesNotContain("dshm");
  }

  @Test
  void theOperatorsVolumeAndMountNamesAreTheReservedOnes() {
    run.getSpec().resources.sharedMemory = "1Gi";
    Pod pod = WorkerPods.pod(run, world, 0);

    assertThat(pod.getSpec().getVolumes()).extracting(Volume::getName)
        .containsExactlyInAnyOrderElementsOf(OperatorOwnedFields.RESERVED_VOLUMES);
    assertThat(pod.getSpec().getContainers().get(0).getVolumeMounts()).extracting(m -> m.getMountPath())
        .filteredOn(path -> !path.equals("/checkpoints") && !path.equals("/cache/huggingface"))
        .containsExactlyInAnyOrderElementsOf(OperatorOwnedFields.RESERVED_MOUNT_PATHS);
  }

  @Test
  void everyVariableTheOperatorAlwaysSetsIsReserved() {
    run.getSpec().resources.gpusPerNode = 1;
    List<String> names = WorkerPods.pod(run, world, 0).getSpec().getContainers().get(0).getEnv().stream()
        .map(EnvVar::getName).toList();
    assertThat(OperatorOwnedFields.RESERVED_ENV).containsAll(names);
  }

  @Test
  void aTemplateVariableTheOperatorSetsForThisRunIsRefused() throws Exception {
    run.getSpec().tracking.mlflow.trackingUri = "http://mlflow:5000";
    run.getSpec().tracking.mlflow.tokenSecret = "mlflow";
    run.getSpec().template = template("spec: {containers: [{name: trainer, env: [{name: MLFLOW_TRACKING_TOKEN, value: x}]}]}");

    assertRefused("spec.template.spec.containers[trainer].env", "MLFLOW_TRACKING_TOKEN is set by the operator");

    // without tracking.mlflow.tokenSecret the template may give the token itself
    run.getSpec().tracking.mlflow.tokenSecret = null;
    assertThat(WorkerPods.pod(run, world, 0).getSpec().getContainers().get(0).getEnv())
        .anyMatch(e -> e.getName().equals("MLFLOW_TRACKING_TOKEN") && "x".equals(e.getValue()));
  }

  @Test
  void forbiddenOverridesAreRefusedNamingTheirField() throws Exception {
    Map<String, String> cases = Map.of(
        "spec.template.spec.securityContext", "spec: {securityContext: {runAsUser: 0}}",
        "spec.template.spec.nodeName", "spec: {nodeName: gpu-z}",
        "spec.template.spec.containers[trainer].command", "spec: {containers: [{name: trainer, command: [sh]}]}",
        "spec.template.spec.containers[trainer].env", "spec: {containers: [{name: trainer, env: [{name: RENDEZVOUS_TOKEN, value: x}]}]}",
        "spec.template.spec.containers[trainer].resources",
        "spec: {containers: [{name: trainer, resources: {limits: {nvidia.com/gpu: '8'}}}]}",
        "spec.template.spec.volumes", "spec: {volumes: [{name: config, emptyDir: {}}]}",
        "spec.template.metadata.labels", "metadata: {labels: {contrastive.dev/run: other}}");
    for (Map.Entry<String, String> bad : cases.entrySet()) {
      run.getSpec().template = template(bad.getValue());
      assertRefused(bad.getKey(), "");
    }
  }

  @Test
  void theHubCacheIsTheOperatorsAndATemplateNamingItIsRefusedWithOneLine() throws Exception {
    run.getSpec().template = template("spec: {volumes: [{name: hf-cache, persistentVolumeClaim: {claimName: mine}}]}");
    assertRefused("spec.template.spec.volumes", "hf-cache are the operator's volume names; choose another name");
    assertThatThrownBy(() -> WorkerPods.pod(run, world, 0)).hasMessage("spec.template.spec.volumes[hf-cache]: config,"
        + " tmp, djl-cache, checkpoints, dshm, hf-cache are the operator's volume names; choose another name");

    run.getSpec().template = template("spec: {containers: [{name: trainer, env: [{name: HF_HOME, value: /tmp/hf}]}]}");
    assertRefused("spec.template.spec.containers[trainer].env", "HF_HOME is set by the operator");

    run.getSpec().template = template("spec: {volumes: [{name: mine, emptyDir: {}}],"
        + " containers: [{name: trainer, volumeMounts: [{name: mine, mountPath: /cache/huggingface}]}]}");
    assertRefused("spec.template.spec.containers[trainer].volumeMounts", "/cache/huggingface is the operator's mount path");

    // the claim for the cache goes in spec.dataset.cache, and a template may still use HF_* variables
    run.getSpec().template = template("spec: {containers: [{name: trainer, env: [{name: HF_HUB_OFFLINE, value: '1'}]}]}");
    assertThat(WorkerPods.pod(run, world, 0).getSpec().getContainers().get(0).getEnv())
        .anyMatch(e -> e.getName().equals("HF_HUB_OFFLINE"));
  }

  @Test
  void whatOnlyTheMergeSeesIsRefusedToo() throws Exception {
    run.getSpec().template = template("spec: {containers: [{name: trainer, volumeMounts: [{name: data, mountPath: /data}]}]}");
    assertRefused("spec.template.spec.containers[trainer].volumeMounts", "'data' is not a volume of the pod");

    run.getSpec().template = template("spec: {volumes: [{name: a, emptyDir: {}}, {name: a, emptyDir: {}}]}");
    assertRefused("spec.template.spec.volumes", "'a' names two volumes");

    run.getSpec().template = template("spec: {initContainers: [{name: uploader, image: x}], containers: [{name: uploader, image: x}]}");
    assertRefused("spec.template.spec.initContainers[uploader].name", "already the name of a container");

    run.getSpec().template = template("spec: {containers: [{name: trainer, volumeMounts: [{name: data, mountPath: /data}]},"
        + " {name: s, image: x, volumeMounts: [{name: nope, mountPath: /x}]}], volumes: [{name: data, emptyDir: {}}]}");
    assertRefused("spec.template.spec.containers[s].volumeMounts", "'nope'");
  }

  @Test
  void otherPodAndContainerFieldsAreTakenAsWritten() throws Exception {
    run.getSpec().template = template("spec: {containers: [{name: trainer, stdin: true}], dnsPolicy: None,"
        + " dnsConfig: {nameservers: [10.0.0.10]}}");
    Pod pod = WorkerPods.pod(run, world, 0);

    assertThat(pod.getSpec().getDnsPolicy()).isEqualTo("None");
    assertThat(pod.getSpec().getDnsConfig().getNameservers()).containsExactly("10.0.0.10");
    assertThat(pod.getSpec().getContainers().get(0).getStdin()).isTrue();
  }

  @Test
  void aFieldTheOperatorHasSetIsRefusedNotOverwritten() throws Exception {
    // e.g. a scheduler name the operator sets for a queue: the template must not silently win or lose
    Pod operators = new io.fabric8.kubernetes.api.model.PodBuilder(withoutTemplate(0))
        .editSpec().withSchedulerName("kueue-scheduler").endSpec().build();
    run.getSpec().template = template("spec: {schedulerName: volcano}");

    assertThatThrownBy(() -> WorkerPodTemplate.merge(operators, run.getSpec()))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
          assertThat(e.field()).isEqualTo("spec.template.spec.schedulerName");
          assertThat(e.getMessage()).contains("kueue-scheduler");
        });
    run.getSpec().template = template("spec: {schedulerName: kueue-scheduler}");
    assertThat(WorkerPodTemplate.merge(operators, run.getSpec()).getSpec().getSchedulerName()).isEqualTo("kueue-scheduler");
  }

  @Test
  void withoutATemplateThePodIsTheOperatorsAlone() {
    assertThat(WorkerPods.pod(run, world, 0)).isEqualTo(withoutTemplate(0));
  }

  private void assertRefused(String field, String message) {
    assertThatThrownBy(() -> WorkerPods.pod(run, world, 0))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
          assertThat(e.field()).isEqualTo(field);
          assertThat(e.getMessage()).startsWith(field).contains(message);
        });
    assertThatThrownBy(() -> WorkerPods.checkTemplate(run)).isInstanceOf(InvalidConfigException.class);
  }

  private Pod withoutTemplate(int rank) {
    PodTemplateSpec template = run.getSpec().template;
    run.getSpec().template = null;
    try {
      return WorkerPods.pod(run, world, rank);
    } finally {
      run.getSpec().template = template;
    }
  }

  static PodTemplateSpec template(String yaml) throws Exception {
    return YAML.readValue(yaml, PodTemplateSpec.class);
  }

}
