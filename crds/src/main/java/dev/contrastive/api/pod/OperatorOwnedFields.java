package dev.contrastive.api.pod;

import java.util.List;

/**
 * What a run's {@code spec.template} may not set, because the operator sets it in every worker pod
 * and the gang depends on it: the rank environment and token, node pinning, the trainer's command,
 * the security context, the resources the spec already names. The CRD's CEL rules
 * ({@link TemplateCelRules}) and the operator's own check ({@link TemplateCheck}) are both made from
 * these lists, so that a name added here is refused at {@code kubectl apply} and by the operator.
 */
public final class OperatorOwnedFields {

  /** The template's container of this name merges into the operator's trainer container. */
  public static final String TRAINER_CONTAINER = "trainer";

  /** Label and annotation keys with this prefix are the operator's (run, rank, gang). */
  public static final String RESERVED_KEY_PREFIX = "contrastive.dev/";

  /** A field the operator sets, and what the user should do instead (ends the refusal message). */
  public record Owned(String field, String instead) {}

  /** Of the template's metadata only these are merged; the operator names and owns each pod. */
  public static final List<String> METADATA_MERGED = List.of("labels", "annotations");

  private static final String GANG_ACCOUNT = "the trainer runs as the run's own ServiceAccount, which may patch"
      + " the run's status";
  private static final String DNS_NAME = "it gives each worker its rendezvous DNS name";
  private static final String SECURITY = "the operator runs the trainer non-root with a restricted security"
      + " context";
  private static final String TRAINER_COMMAND = "the operator starts the trainer on the run's config (the spec"
      + " is the training config)";

  /** Fields of the template's pod spec the operator sets. */
  public static final List<Owned> POD = List.of(
      new Owned("restartPolicy", "a failed worker restarts the whole gang (spec.runPolicy.backoffLimit)"),
      new Owned("serviceAccountName", GANG_ACCOUNT),
      new Owned("serviceAccount", GANG_ACCOUNT),
      new Owned("automountServiceAccountToken", GANG_ACCOUNT),
      new Owned("nodeName", "the operator pins each rank to its node"),
      new Owned("nodeSelector", "use spec.nodeSelector, which also decides the nodes the gang is planned on"),
      new Owned("hostname", DNS_NAME),
      new Owned("subdomain", DNS_NAME),
      new Owned("securityContext", SECURITY),
      new Owned("hostNetwork", SECURITY),
      new Owned("hostPID", SECURITY),
      new Owned("hostIPC", SECURITY),
      new Owned("activeDeadlineSeconds", "use spec.runPolicy.activeDeadlineSeconds"));

  /** Fields of the trainer container the operator sets. */
  public static final List<Owned> TRAINER = List.of(
      new Owned("image", "use spec.image"),
      new Owned("imagePullPolicy", "use spec.imagePullPolicy"),
      new Owned("command", TRAINER_COMMAND),
      new Owned("args", TRAINER_COMMAND),
      new Owned("ports", "the trainer's ports are the operator's; give a sidecar ports of its own"),
      new Owned("securityContext", SECURITY),
      new Owned("terminationMessagePolicy", "the operator shows the trainer's last log line when it fails"));

  /** Resources of the trainer container the spec names; the GPU resource is spec.resources.gpuResourceName. */
  public static final List<Owned> TRAINER_RESOURCES = List.of(
      new Owned("cpu", "use spec.resources.cpu"),
      new Owned("memory", "use spec.resources.memory"));

  /**
   * Environment variables the operator sets in the trainer container (the trainer reads them).
   * Extend this list when the operator sets a new one; WorkerPodTemplateTest holds the pods to it.
   * (MLFLOW_TRACKING_TOKEN is the operator's only where spec.tracking.mlflow.tokenSecret names it.)
   */
  public static final List<String> RESERVED_ENV = List.of(
      "RANK", "NODE_RANK", "NPROC_PER_NODE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "CONTRASTIVE_GPUS",
      "CUDA_VISIBLE_DEVICES", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "RUN_NAME", "NAMESPACE", "POD_IP",
      "RENDEZVOUS_TOKEN", "CONFIG_FILE", "OPT_OUT_TRACKING", "DJL_OFFLINE", "DJL_CACHE_DIR", "HOME", "RUN_UID",
      "HF_HOME");

  /** Names of the operator's pod volumes. */
  public static final List<String> RESERVED_VOLUMES =
      List.of("config", "tmp", "djl-cache", "checkpoints", "dshm", "hf-cache");

  /**
   * Mount paths of the operator's volumes in the trainer, besides spec.checkpoint.mountPath and
   * spec.dataset.cache.mountPath.
   */
  public static final List<String> RESERVED_MOUNT_PATHS = List.of("/etc/contrastive", "/tmp", "/var/cache/djl",
      "/dev/shm");

  private OperatorOwnedFields() {}
}
