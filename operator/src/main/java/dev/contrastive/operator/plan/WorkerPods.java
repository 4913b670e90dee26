package dev.contrastive.operator.plan;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.api.spec.DatasetCacheSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * run + world + rank -> the worker pod of that rank. The run's spec is resolved ({@link ResolvedRun}):
 * the pod is built from the same settings, defaults and presets included, that its trainer reads.
 */
public final class WorkerPods {

  public static final String CONTAINER = "trainer";
  public static final String ENTRYPOINT = "trainer";
  public static final String DJL_CACHE_DIR = "/var/cache/djl";
  /** A memory-backed emptyDir of spec.resources.sharedMemory, mounted where data loaders expect shared memory. */
  public static final String SHARED_MEMORY_VOLUME = "dshm";
  public static final String SHARED_MEMORY_PATH = "/dev/shm";
  /** Hugging Face downloads (HF_HOME): spec.dataset.cache.claimName, else an emptyDir. */
  public static final String HF_CACHE_VOLUME = "hf-cache";
  /** The trainer's user in the image; a fixed non-root id so volumes are writable. */
  public static final long TRAINER_UID = 1000L;
  private static final String SCHEDULER_VOLCANO = VolcanoPodGroup.SCHEDULER;

  private WorkerPods() {}

  public static List<Pod> pods(ContrastiveTrainingRun run, World world) {
    List<Pod> pods = new ArrayList<>();
    for (int rank = 0; rank < world.size(); rank++) {
      pods.add(pod(run, world, rank));
    }
    return pods;
  }

  /**
   * The worker pod of {@code rank}: the operator's pod with the run's {@code spec.template} merged in.
   *
   * @throws dev.contrastive.api.config.InvalidConfigException naming the template field that cannot be merged
   */
  public static Pod pod(ContrastiveTrainingRun run, World world, int rank) {
    Pod pod = WorkerPodTemplate.merge(operatorPod(run, world, rank), run.getSpec());
    return SCHEDULER_VOLCANO.equals(pod.getSpec().getSchedulerName()) ? VolcanoPodGroup.member(pod, run) : pod;
  }

  /** The worker pods' scheduler, spec.template merged (null: the cluster's default). */
  public static String schedulerName(ContrastiveTrainingRun run) {
    return WorkerPodTemplate.merge(operatorPod(run, World.pinned(List.of("node")), 0), run.getSpec())
        .getSpec().getSchedulerName();
  }

  /**
   * Refuses a template that cannot be merged before any object of the run is created.
   *
   * @throws dev.contrastive.api.config.InvalidConfigException naming the template field
   */
  public static void checkTemplate(ContrastiveTrainingRun run) {
    pod(run, World.pinned(List.of("node")), 0);
  }

  private static Pod operatorPod(ContrastiveTrainingRun run, World world, int rank) {
    ContrastiveTrainingRunSpec spec = run.getSpec();
    PodSpecBuilder podSpec = new PodSpecBuilder()
        .withRestartPolicy("Never")
        .withPriorityClassName(spec.priorityClassName)
        .withSchedulerName(spec.schedulerName)
        .withServiceAccountName(RunNames.trainerAccess(run))
        // hostname + subdomain give each worker the DNS name <pod>.<service>.<ns>.svc.
        .withHostname(RunNames.worker(run, rank))
        .withSubdomain(RunNames.service(run))
        .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(TRAINER_UID)
            .withRunAsGroup(TRAINER_UID)
            .withFsGroup(TRAINER_UID)
            .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .endSecurityContext()
        .withContainers(container(run, world, rank))
        .withVolumes(volumes(run))
        .withNodeSelector(spec.nodeSelector == null || spec.nodeSelector.isEmpty() ? null : spec.nodeSelector)
        .withTolerations(spec.tolerations == null || spec.tolerations.isEmpty() ? null : spec.tolerations);
    world.nodeOf(rank).ifPresent(node -> podSpec
        .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
            .addNewNodeSelectorTerm().addNewMatchField()
                .withKey("metadata.name").withOperator("In").withValues(node)
            .endMatchField().endNodeSelectorTerm()
        .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity());
    return new PodBuilder()
        .withMetadata(Owned.meta(run, RunNames.worker(run, rank))
            .addToLabels(RunNames.RANK_LABEL, Integer.toString(rank))
            .addToLabels(RunNames.GANG_LABEL, Gang.id(run, world))
            .addToLabels(queueLabel(run))
            .build())
        .withSpec(podSpec.build())
        .build();
  }

  /** The run's Kueue queue label, so that a template naming another queue is refused. */
  private static Map<String, String> queueLabel(ContrastiveTrainingRun run) {
    Map<String, String> labels = run.getMetadata().getLabels();
    String queue = labels == null ? null : labels.get(KueuePodGroup.QUEUE_LABEL);
    return queue == null ? Map.of() : Map.of(KueuePodGroup.QUEUE_LABEL, queue);
  }

  private static Container container(ContrastiveTrainingRun run, World world, int rank) {
    ContrastiveTrainingRunSpec spec = run.getSpec();
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(spec.image)
        .withImagePullPolicy(spec.imagePullPolicy)
        .withCommand(ENTRYPOINT)
        .withArgs("train", "-f", RunNames.CONFIG_FILE)
        // The trainer's last log line explains an exit code 2 (invalid input) in the pod status.
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withEnv(env(run, world, rank))
        .addAllToEnv(TrackingEnv.of(run))
        .addNewPort().withName("rendezvous").withContainerPort(Rendezvous.port(run)).withProtocol("TCP").endPort()
        .addAllToPorts(MetricsPorts.of(spec))
        .withResources(resources(spec))
        .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withPrivileged(false)
            .withReadOnlyRootFilesystem(true)
            .withRunAsNonRoot(true)
            .withNewCapabilities().withDrop("ALL").endCapabilities()
        .endSecurityContext()
        .withVolumeMounts(mounts(spec))
        .build();
  }

  /** Training processes per worker pod (one per GPU, like torchrun's --nproc_per_node). */
  public static int processesPerWorker(ContrastiveTrainingRunSpec spec) {
    return spec.resources.effectiveProcessesPerWorker();
  }

  /** WORLD_SIZE: the training processes of the whole gang. */
  public static int worldSize(ContrastiveTrainingRunSpec spec, World world) {
    return world.size() * processesPerWorker(spec);
  }

  /**
   * The gang's variables. NODE_RANK is the pod's rank; a pod of several processes starts them
   * itself (the trainer's node launcher), each with RANK = NODE_RANK x NPROC_PER_NODE + LOCAL_RANK.
   * A pod of one process also gets its RANK directly.
   */
  private static List<EnvVar> env(ContrastiveTrainingRun run, World world, int rank) {
    ContrastiveTrainingRunSpec spec = run.getSpec();
    int perWorker = processesPerWorker(spec);
    List<EnvVar> vars = new ArrayList<>();
    if (perWorker == 1) {
      vars.add(env("RANK", Integer.toString(rank)));
    }
    vars.addAll(List.of(
        env("NODE_RANK", Integer.toString(rank)),
        env("NPROC_PER_NODE", Integer.toString(perWorker)),
        env("CONTRASTIVE_GPUS", Integer.toString(WorldPlanner.gpusPerNode(spec))),
        env("WORLD_SIZE", Integer.toString(worldSize(spec, world))),
        env("MASTER_ADDR", RunNames.masterAddress(run)),
        env("MASTER_PORT", Integer.toString(Rendezvous.port(run))),
        env("RUN_NAME", run.getMetadata().getName()),
        env("NAMESPACE", run.getMetadata().getNamespace()),
        new EnvVarBuilder().withName("POD_IP")
            .withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP").endFieldRef().endValueFrom()
            .build(),
        new EnvVarBuilder().withName("RENDEZVOUS_TOKEN")
            .withNewValueFrom().withNewSecretKeyRef()
                .withName(RunNames.tokenSecret(run)).withKey(RunNames.TOKEN_KEY)
            .endSecretKeyRef().endValueFrom()
            .build(),
        env("CONFIG_FILE", RunNames.CONFIG_FILE),
        // DJL sends telemetry at engine start unless opted out, and must not download at run time.
        env("OPT_OUT_TRACKING", "true"),
        env("DJL_OFFLINE", "true"),
        env("DJL_CACHE_DIR", DJL_CACHE_DIR),
        // Hub data sets download here (and the Hugging Face tools look here), on the cache volume.
        env("HF_HOME", DatasetCacheSpec.mountPathOf(spec.dataset)),
        env("HOME", "/tmp")));
    return vars;
  }

  private static EnvVar env(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static io.fabric8.kubernetes.api.model.ResourceRequirements resources(ContrastiveTrainingRunSpec spec) {
    Map<String, Quantity> amounts = new LinkedHashMap<>();
    if (spec.resources.cpu != null) {
      amounts.put("cpu", new Quantity(spec.resources.cpu));
    }
    if (spec.resources.memory != null) {
      amounts.put("memory", new Quantity(spec.resources.memory));
    }
    int gpus = WorldPlanner.gpusPerNode(spec);
    if (gpus > 0) {
      amounts.put(WorldPlanner.gpuResourceName(spec), new Quantity(Integer.toString(gpus)));
    }
    // Requests equal limits: GPUs must, and equal CPU/memory makes the pod Guaranteed.
    return new ResourceRequirementsBuilder().withRequests(amounts).withLimits(amounts).build();
  }

  private static List<Volume> volumes(ContrastiveTrainingRun run) {
    ContrastiveTrainingRunSpec spec = run.getSpec();
    VolumeBuilder checkpoint = new VolumeBuilder().withName("checkpoints");
    if (spec.checkpoint.claimName != null) {
      checkpoint.withNewPersistentVolumeClaim().withClaimName(spec.checkpoint.claimName).endPersistentVolumeClaim();
    } else {
      checkpoint.withNewEmptyDir().endEmptyDir();
    }
    List<Volume> volumes = new ArrayList<>(List.of(
        new VolumeBuilder().withName("config")
            .withNewConfigMap().withName(RunNames.config(run)).endConfigMap().build(),
        new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build(),
        new VolumeBuilder().withName("djl-cache").withNewEmptyDir().endEmptyDir().build(),
        checkpoint.build(),
        hubCache(spec)));
    sharedMemory(spec).ifPresent(size -> volumes.add(new VolumeBuilder().withName(SHARED_MEMORY_VOLUME)
        .withNewEmptyDir().withMedium("Memory").withSizeLimit(new Quantity(size)).endEmptyDir().build()));
    return volumes;
  }

  /** The claim spec.dataset.cache names (kept across restarts and runs), else an emptyDir of the pod. */
  private static Volume hubCache(ContrastiveTrainingRunSpec spec) {
    VolumeBuilder cache = new VolumeBuilder().withName(HF_CACHE_VOLUME);
    DatasetCacheSpec claim = spec.dataset.cache;
    if (claim != null && claim.claimName != null) {
      return cache.withNewPersistentVolumeClaim().withClaimName(claim.claimName).endPersistentVolumeClaim().build();
    }
    return cache.withNewEmptyDir().endEmptyDir().build();
  }

  /** resources.sharedMemory: the size of a memory-backed /dev/shm, when set. */
  private static Optional<String> sharedMemory(ContrastiveTrainingRunSpec spec) {
    return Optional.ofNullable(spec.resources.sharedMemory);
  }

  private static List<VolumeMount> mounts(ContrastiveTrainingRunSpec spec) {
    String checkpointPath = spec.checkpoint.mountPath;
    List<VolumeMount> mounts = new ArrayList<>(List.of(
        mount("config", RunNames.CONFIG_DIR, true),
        mount("tmp", "/tmp", false),
        mount("djl-cache", DJL_CACHE_DIR, false),
        mount("checkpoints", checkpointPath, false)));
    sharedMemory(spec).ifPresent(size -> mounts.add(mount(SHARED_MEMORY_VOLUME, SHARED_MEMORY_PATH, false)));
    String cachePath = DatasetCacheSpec.mountPathOf(spec.dataset);
    for (VolumeMount own : mounts) {
      if (trimSlash(own.getMountPath()).equals(trimSlash(cachePath))) {
        throw InvalidConfigException.at("spec.dataset.cache.mountPath", cachePath + " is already the mount path of the"
            + " operator's volume '" + own.getName() + "'; choose another path");
      }
    }
    mounts.add(mount(HF_CACHE_VOLUME, cachePath, false));
    return mounts;
  }

  private static String trimSlash(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static VolumeMount mount(String volume, String path, boolean readOnly) {
    return new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
        .withName(volume).withMountPath(path).withReadOnly(readOnly).build();
  }
}
