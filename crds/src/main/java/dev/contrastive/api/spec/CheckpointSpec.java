package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** Checkpoint storage shared by the gang; without a claim an emptyDir is used (lost with the pod). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckpointSpec {

  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription("PersistentVolumeClaim that holds checkpoints (ReadWriteMany for several nodes).")
  public String claimName;

  @Default("/checkpoints")
  @Pattern("^/.*")
  @JsonPropertyDescription("Mount path of the checkpoint volume in the worker pods.")
  public String mountPath = "/checkpoints";
}
