package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** TensorBoard event files written by rank 0. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TensorBoardSpec {

  @Default("false")
  @JsonPropertyDescription("Write TensorBoard event files to <checkpoint.mountPath>/tensorboard/<experiment>/<runName>.")
  public Boolean enabled = false;
}
