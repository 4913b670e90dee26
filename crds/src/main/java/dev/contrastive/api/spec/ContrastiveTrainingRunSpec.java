package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.contrastive.api.naming.RunName;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training config, grouped like the trainer's config groups, plus where and how to run it.
 * Cross-field rules are CEL so the API server refuses a wrong run at {@code kubectl apply}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.resources) || !has(self.resources.gpusPerNode) || self.resources.gpusPerNode > 0 || has(self.workers)",
    message = "spec.workers is required when spec.resources.gpusPerNode is 0")
@ValidationRule(
    value = "!has(self.resources) || !has(self.resources.processesPerWorker) || !has(self.resources.gpusPerNode) || self.resources.gpusPerNode == 0 || self.resources.processesPerWorker <= self.resources.gpusPerNode",
    message = "spec.resources.processesPerWorker must not exceed spec.resources.gpusPerNode (one process per GPU)")
@ValidationRule(
    value = "!has(self.maxNodes) || !has(self.minNodes) || self.minNodes <= self.maxNodes",
    message = "spec.minNodes must not exceed spec.maxNodes")
@ValidationRule(
    value = "!has(self.scheduler) || !has(self.trainer) || !has(self.scheduler.warmupEpochs) || !has(self.trainer.maxEpochs) || self.scheduler.warmupEpochs < self.trainer.maxEpochs",
    message = "spec.scheduler.warmupEpochs must be less than spec.trainer.maxEpochs")
public class ContrastiveTrainingRunSpec {

  @JsonPropertyDescription("Encoder and projection head: a preset name plus optional overrides.")
  public ArchitectureSpec architecture = new ArchitectureSpec();

  @JsonPropertyDescription("Training images: cifar10, imagefolder, huggingface (a Hub data set), imagenet or synthetic.")
  public DatasetSpec dataset = new DatasetSpec();

  @JsonPropertyDescription("SimCLR view augmentations.")
  public AugmentationSpec augmentation = new AugmentationSpec();

  @JsonPropertyDescription("NT-Xent loss settings.")
  public LossSpec loss = new LossSpec();

  @JsonPropertyDescription("Optimizer: lars, adamw or sgd, with its settings.")
  public OptimizerSpec optimizer = new OptimizerSpec();

  @JsonPropertyDescription("Learning-rate schedule: linear warm-up then cosine decay.")
  public SchedulerSpec scheduler = new SchedulerSpec();

  @JsonPropertyDescription("Epochs, batch size, intervals and seed.")
  public TrainerSpec trainer = new TrainerSpec();

  @JsonPropertyDescription("kNN evaluation of the encoder on the held-out split.")
  public EvaluationSpec evaluation = new EvaluationSpec();

  @JsonPropertyDescription("Rendezvous and gradient all-reduce between the worker pods.")
  public DistributedSpec distributed = new DistributedSpec();

  @Required
  @Pattern("^\\S+$")
  @JsonPropertyDescription("Trainer container image.")
  public String image;

  @Pattern("^(Always|IfNotPresent|Never)$")
  @JsonPropertyDescription("Image pull policy of the trainer pods (Always, IfNotPresent, Never).")
  public String imagePullPolicy;

  @JsonPropertyDescription("GPU resource name, GPUs per node, and CPU/memory per worker pod.")
  public ResourcesSpec resources = new ResourcesSpec();

  @JsonPropertyDescription("Only nodes with all these labels run workers.")
  public Map<String, String> nodeSelector = new LinkedHashMap<>();

  @JsonPropertyDescription("Tolerations of the worker pods; nodes whose taints they do not tolerate are not used.")
  public List<Toleration> tolerations = new ArrayList<>();

  @Min(1)
  @Max(RunName.MAX_WORKERS)
  @JsonPropertyDescription("Fixed number of workers, for clusters without GPUs (resources.gpusPerNode = 0).")
  public Integer workers;

  @Min(1)
  @Max(RunName.MAX_WORKERS)
  @JsonPropertyDescription("Use at most this many GPU nodes.")
  public Integer maxNodes;

  @Min(1)
  @Max(RunName.MAX_WORKERS)
  @JsonPropertyDescription("Fewest GPU nodes a run (or a restart after a lost node) may use.")
  public Integer minNodes;

  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @JsonPropertyDescription("PriorityClass of the worker pods (and of the Volcano PodGroup): the scheduler's, Kueue's"
      + " and Volcano's priority and preemption. spec.template.spec.priorityClassName may only repeat it.")
  public String priorityClassName;

  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @JsonPropertyDescription("Scheduler of the worker pods; volcano puts the gang under a Volcano PodGroup."
      + " spec.template.spec.schedulerName may only repeat it.")
  public String schedulerName;

  @JsonPropertyDescription("Where checkpoints live: a PersistentVolumeClaim, else an emptyDir.")
  public CheckpointSpec checkpoint = new CheckpointSpec();

  @JsonPropertyDescription("Restarts, deadline, clean-up and suspension.")
  public RunPolicySpec runPolicy = new RunPolicySpec();

  @JsonPropertyDescription("Prometheus metrics of the trainer processes.")
  public MetricsSpec metrics = new MetricsSpec();

  @JsonPropertyDescription("Experiment tracking (MLflow, TensorBoard) by rank 0: experiment, run name, backends.")
  public TrackingSpec tracking = new TrackingSpec();

  @JsonPropertyDescription("Partial pod template merged into every worker pod: labels, annotations, volumes,"
      + " imagePullSecrets, scheduling hints, the trainer container's env/envFrom/volumeMounts/extra resources"
      + " (container named trainer), sidecar and init containers. Fields the operator owns are refused.")
  public PodTemplateSpec template;
}
