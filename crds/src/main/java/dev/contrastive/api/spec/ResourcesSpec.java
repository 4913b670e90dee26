package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** What each worker pod requests. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResourcesSpec {

  @Default("nvidia.com/gpu")
  @Pattern("^\\S+$")
  @JsonPropertyDescription("Extended resource name of the GPUs.")
  public String gpuResourceName = "nvidia.com/gpu";

  @Default("1")
  @Min(0)
  @Max(16)
  @JsonPropertyDescription("GPUs per node and worker pod; 0 runs CPU-only workers (spec.workers of them).")
  public Integer gpusPerNode = 1;

  @Min(1)
  @Max(64)
  @JsonPropertyDescription("Training processes per worker pod, like torchrun's --nproc_per_node: one per"
      + " GPU, each on its own GPU. Default gpusPerNode (1 on CPU-only workers); at most gpusPerNode on"
      + " GPU workers. Several per CPU worker simulate a multi-GPU node.")
  public Integer processesPerWorker;

  @Pattern("^[0-9]+(\\.[0-9]+)?m?$")
  @JsonPropertyDescription("CPU request and limit of each worker, e.g. 4 or 500m.")
  public String cpu;

  @Pattern("^[0-9]+(\\.[0-9]+)?([KMGTPE]i?)?$")
  @JsonPropertyDescription("Memory request and limit of each worker, e.g. 16Gi.")
  public String memory;

  @Pattern("^[0-9]+(\\.[0-9]+)?([KMGTPE]i?)?$")
  @JsonPropertyDescription("Size of each worker's memory-backed /dev/shm (an emptyDir of medium Memory), e.g. 8Gi,"
      + " for data loaders and sidecars that share memory; it counts against the pod's memory. Unset: the"
      + " container runtime's default (often 64Mi).")
  public String sharedMemory;

  /** Processes each worker pod runs: processesPerWorker, else one per GPU, else 1. */
  public int effectiveProcessesPerWorker() {
    if (processesPerWorker != null) {
      return processesPerWorker;
    }
    return gpusPerNode == null ? 1 : Math.max(1, gpusPerNode);
  }
}
