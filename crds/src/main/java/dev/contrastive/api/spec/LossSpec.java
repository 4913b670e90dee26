package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** NT-Xent (normalised temperature-scaled cross entropy). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LossSpec {

  @Default("0.5")
  @Min(value = 0, inclusive = false)
  @Max(10)
  @JsonPropertyDescription("Softmax temperature of the NT-Xent loss.")
  public Double temperature = 0.5;

  @Default("global")
  @Pattern("^(global|local)$")
  @JsonPropertyDescription("Negatives of each worker's loss: global (the projections of every worker, gathered each"
      + " step, so W workers x B images train like one process with W x B images, as SimCLR does at scale) or local"
      + " (its own 2B projections only).")
  public String negatives = "global";
}
