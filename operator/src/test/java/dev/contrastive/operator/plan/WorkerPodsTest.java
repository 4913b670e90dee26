package dev.contrastive.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.spec.DatasetCacheSpec;
import dev.contrastive.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class WorkerPodsTest {

  private final ContrastiveTrainingRun run = Fixtures.run("simclr", "team-a");
  private final World world = World.pinned(List.of("gpu-a", "gpu-b"));

  @Test
  void oneLabelledPodPerRank() {
    List<Pod> pods = WorkerPods.pods(run, world);

    assertThat(pods).extracting(p -> p.getMetadata().getName()).containsExactly("simclr-worker-0", "simclr-worker-1");
    assertThat(pods.get(1).getMetadata().getLabels())
        .containsEntry("contrastive.dev/run", "simclr").containsEntry("contrastive.dev/rank", "1");
  }

  @Test
  void envTellsEachWorkerItsRankWorldAndRendezvous() {
    run.getSpec().distributed.port = 31000;
    Map<String, EnvVar> env = container(WorkerPods.pod(run, world, 1)).getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, e -> e));

    assertThat(env.get("RANK").getValue()).isEqualTo("1");
    assertThat(env.get("NODE_RANK").getValue()).isEqualTo("1");
    assertThat(env.get("NPROC_PER_NODE").getValue()).isEqualTo("1");
    assertThat(env.get("WORLD_SIZE").getValue()).isEqualTo("2");
    assertThat(env.get("MASTER_ADDR").getValue()).isEqualTo("simclr-worker-0.simclr-workers.team-a.svc");
    assertThat(env.get("MASTER_PORT").getValue()).isEqualTo("31000");
    assertThat(env.get("RUN_NAME").getValue()).isEqualTo("simclr");
    assertThat(env.get("NAMESPACE").getValue()).isEqualTo("team-a");
    assertThat(env.get("POD_IP").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
    assertThat(env.get("RENDEZVOUS_TOKEN").getValueFrom().getSecretKeyRef().getName()).isEqualTo("simclr-rendezvous");
    assertThat(env.get("CONFIG_FILE").getValue()).isEqualTo("/etc/contrastive/run.yaml");
    assertThat(env.get("OPT_OUT_TRACKING").getValue()).isEqualTo("true");
    assertThat(env.get("DJL_OFFLINE").getValue()).isEqualTo("true");
  }

  @Test
  void theTrainerExposesItsMetricsPortNamedForPodMonitors() {
    run.getSpec().metrics.port = 9500;

    assertThat(container(WorkerPods.pod(run, world, 1)).getPorts())
        .extracting(p -> p.getName() + "=" + p.getContainerPort())
        .containsExactly("rendezvous=29500", "metrics=9500");
  }

  @Test
  void eachProcessOfAMultiGpuPodExposesItsOwnMetricsPort() {
    run.getSpec().resources.gpusPerNode = 4;
    run.getSpec().resources.processesPerWorker = 3;

    assertThat(container(WorkerPods.pod(run, world, 1)).getPorts())
        .extracting(p -> p.getName() + "=" + p.getContainerPort())
        .containsExactly("rendezvous=29500", "metrics=9400", "metrics-1=9401", "metrics-2=9402");
  }

  @Test
  void theMlflowTokenComesFromTheNamedSecretAndTheRunUidFromTheRun() {
    run.getMetadata().setUid("0b7d-uid");
    run.getSpec().tracking.mlflow.trackingUri = "http://mlflow.mlflow:5000";
    run.getSpec().tracking.mlflow.tokenSecret = "mlflow-token";
    Map<String, EnvVar> env = container(WorkerPods.pod(run, world, 0)).getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, e -> e));

    assertThat(env.get("RUN_UID").getValue()).isEqualTo("0b7d-uid");
    assertThat(env.get("MLFLOW_TRACKING_TOKEN").getValueFrom().getSecretKeyRef())
        .satisfies(ref -> assertThat(ref.getName() + "/" + ref.getKey()).isEqualTo("mlflow-token/token"));
  }

  @Test
  void noTokenWithoutATokenSecret() {
    run.getSpec().tracking.mlflow.trackingUri = "http://mlflow.mlflow:5000";

    assertThat(container(WorkerPods.pod(run, world, 0)).getEnv()).extracting(EnvVar::getName)
        .doesNotContain("MLFLOW_TRACKING_TOKEN");
  }

  @Test
  void noMetricsPortWhenTheEndpointIsOff() {
    run.getSpec().metrics.port = 0;

    assertThat(container(WorkerPods.pod(run, world, 0)).getPorts()).extracting(p -> p.getName())
        .containsExactly("rendezvous");
  }

  @Test
  void aPodWithEightGpusRunsEightProcessesAndWorldSizeCountsProcesses() {
    run.getSpec().resources.gpusPerNode = 8;
    Map<String, EnvVar> env = container(WorkerPods.pod(run, world, 1)).getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, e -> e));

    // the pod's launcher starts one process per GPU; each child gets RANK = 1 x 8 + LOCAL_RANK
    assertThat(env).doesNotContainKey("RANK");
    assertThat(env.get("NODE_RANK").getValue()).isEqualTo("1");
    assertThat(env.get("NPROC_PER_NODE").getValue()).isEqualTo("8");
    assertThat(env.get("CONTRASTIVE_GPUS").getValue()).isEqualTo("8");
    assertThat(env.get("WORLD_SIZE").getValue()).isEqualTo("16");
    assertThat(WorkerPods.worldSize(run.getSpec(), world)).isEqualTo(16);
  }

  @Test
  void cpuWorkersRunOneProcessUnlessAskedForMore() {
    run.getSpec().resources.gpusPerNode = 0;
    World cpus = World.unpinned(3);
    assertThat(WorkerPods.worldSize(run.getSpec(), cpus)).isEqualTo(3);

    run.getSpec().resources.processesPerWorker = 2;
    Map<String, EnvVar> env = container(WorkerPods.pod(run, cpus, 2)).getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, e -> e));
    assertThat(env.get("NPROC_PER_NODE").getValue()).isEqualTo("2");
    assertThat(env.get("CONTRASTIVE_GPUS").getValue()).isEqualTo("0");
    assertThat(env.get("WORLD_SIZE").getValue()).isEqualTo("6");
  }

  @Test
  void masterAddressResolvesThroughHostnameAndSubdomain() {
    Pod rank0 = WorkerPods.pod(run, world, 0);

    assertThat(rank0.getSpec().getHostname()).isEqualTo("simclr-worker-0");
    assertThat(rank0.getSpec().getSubdomain()).isEqualTo(Rendezvous.service(run).getMetadata().getName());
  }

  @Test
  void eachRankIsPinnedToItsNodeAndRequestsItsGpus() {
    run.getSpec().resources.gpusPerNode = 4;
    Pod pod = WorkerPods.pod(run, world, 1);

    NodeSelectorRequirement match = pod.getSpec().getAffinity().getNodeAffinity()
        .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().get(0).getMatchFields().get(0);
    assertThat(match.getKey()).isEqualTo("metadata.name");
    assertThat(match.getValues()).containsExactly("gpu-b");
    assertThat(container(pod).getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("4"));
    assertThat(container(pod).getResources().getRequests()).containsEntry("nvidia.com/gpu", new Quantity("4"));
  }

  @Test
  void cpuWorkersAreNotPinnedAndRequestNoGpu() {
    run.getSpec().resources.gpusPerNode = 0;
    Pod pod = WorkerPods.pod(run, World.unpinned(2), 0);

    assertThat(pod.getSpec().getAffinity()).isNull();
    assertThat(container(pod).getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
  }

  @Test
  void workerRunsTheTrainerOnTheMountedConfigWithoutRestarts() {
    Pod pod = WorkerPods.pod(run, world, 0);

    assertThat(container(pod).getCommand()).containsExactly("trainer");
    assertThat(container(pod).getArgs()).containsExactly("train", "-f", "/etc/contrastive/run.yaml");
    assertThat(container(pod).getImage()).isEqualTo(Fixtures.IMAGE);
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("simclr-trainer");
  }

  @Test
  void workerIsLockedDownWithWritableScratchOnly() {
    Pod pod = WorkerPods.pod(run, world, 0);
    var podSecurity = pod.getSpec().getSecurityContext();
    var security = container(pod).getSecurityContext();

    assertThat(podSecurity.getRunAsNonRoot()).isTrue();
    assertThat(podSecurity.getRunAsUser()).isEqualTo(1000L);
    assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container(pod).getVolumeMounts())
        .filteredOn(m -> !Boolean.TRUE.equals(m.getReadOnly()))
        .extracting(m -> m.getMountPath())
        .containsExactlyInAnyOrder("/tmp", "/var/cache/djl", "/checkpoints", "/cache/huggingface");
  }

  @Test
  void hubDownloadsGoToAnEmptyDirCacheAtHfHomeByDefault() {
    run.getSpec().dataset.type = "huggingface";
    run.getSpec().dataset.source = "ILSVRC/imagenet-1k";
    Pod pod = WorkerPods.pod(run, world, 0);

    assertThat(volume(pod, "hf-cache").getEmptyDir()).isNotNull();
    assertThat(volume(pod, "hf-cache").getPersistentVolumeClaim()).isNull();
    assertThat(container(pod).getVolumeMounts())
        .anyMatch(m -> m.getName().equals("hf-cache") && m.getMountPath().equals("/cache/huggingface") && !m.getReadOnly());
    assertThat(env(pod, "HF_HOME")).isEqualTo("/cache/huggingface");
  }

  @Test
  void hubDownloadsGoToTheNamedCacheClaimSoRestartsFindThem() {
    run.getSpec().dataset.type = "huggingface";
    run.getSpec().dataset.source = "ILSVRC/imagenet-1k";
    run.getSpec().dataset.cache = new DatasetCacheSpec();
    run.getSpec().dataset.cache.claimName = "hf-cache-claim";
    run.getSpec().dataset.cache.mountPath = "/data/hf";
    for (Pod pod : WorkerPods.pods(run, world)) {
      assertThat(volume(pod, "hf-cache").getPersistentVolumeClaim().getClaimName()).isEqualTo("hf-cache-claim");
      assertThat(volume(pod, "hf-cache").getEmptyDir()).isNull();
      assertThat(container(pod).getVolumeMounts())
          .anyMatch(m -> m.getName().equals("hf-cache") && m.getMountPath().equals("/data/hf") && !m.getReadOnly());
      assertThat(env(pod, "HF_HOME")).isEqualTo("/data/hf");
    }
  }

  @Test
  void aCacheMountPathOnAnOperatorsMountIsRefusedNamingTheField() {
    run.getSpec().dataset.cache = new DatasetCacheSpec();
    run.getSpec().dataset.cache.mountPath = "/checkpoints/";

    assertThatThrownBy(() -> WorkerPods.checkTemplate(run))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
          assertThat(e.field()).isEqualTo("spec.dataset.cache.mountPath");
          assertThat(e.getMessage()).isEqualTo("spec.dataset.cache.mountPath: /checkpoints/ is already the mount path"
              + " of the operator's volume 'checkpoints'; choose another path");
        });
  }

  private static Volume volume(Pod pod, String name) {
    return pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
  }

  private static String env(Pod pod, String name) {
    return container(pod).getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow().getValue();
  }

  @Test
  void checkpointsGoToTheClaimWhenOneIsNamed() {
    run.getSpec().checkpoint.claimName = "simclr-ckpt";
    run.getSpec().checkpoint.mountPath = "/data/ckpt";
    Pod pod = WorkerPods.pod(run, world, 0);

    Volume checkpoints = pod.getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals("checkpoints")).findFirst().orElseThrow();
    assertThat(checkpoints.getPersistentVolumeClaim().getClaimName()).isEqualTo("simclr-ckpt");
    assertThat(container(pod).getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/data/ckpt"));
  }

  private static Container container(Pod pod) {
    return pod.getSpec().getContainers().get(0);
  }
}
