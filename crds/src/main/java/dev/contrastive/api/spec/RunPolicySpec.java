package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Lifecycle policy, in the spirit of Kubeflow's RunPolicy. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RunPolicySpec {

  @Default("3")
  @Min(0)
  @Max(1000)
  @JsonPropertyDescription("Gang restarts before the run is Failed.")
  public Integer backoffLimit = 3;

  @Min(1)
  @JsonPropertyDescription("Seconds from status.startTime (the gang's first start, reset when a suspended run resumes) after which the run is Failed.")
  public Long activeDeadlineSeconds;

  @Min(0)
  @JsonPropertyDescription("Delete the run this many seconds after it Succeeded or Failed.")
  public Long ttlSecondsAfterFinished;

  @Default("Running")
  @Pattern("^(All|Running|None)$")
  @JsonPropertyDescription("Pods deleted when the run finishes: All, Running or None.")
  public String cleanPodPolicy = "Running";

  @Default("false")
  @JsonPropertyDescription("Suspend: delete the workers and keep the checkpoint; false resumes.")
  public Boolean suspend = false;

  @Default("300")
  @Min(1)
  @JsonPropertyDescription("Seconds a worker may stay unschedulable before the run reports it.")
  public Integer schedulingTimeoutSeconds = 300;
}
