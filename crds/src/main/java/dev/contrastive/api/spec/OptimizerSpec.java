package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Optimizer choice; the preset for {@code type} fills the settings the user leaves out. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OptimizerSpec {

  @Default("lars")
  @Pattern("^(lars|adamw|sgd)$")
  @JsonPropertyDescription("Optimizer: lars, adamw or sgd.")
  public String type = "lars";

  @Min(0)
  @Max(100)
  @JsonPropertyDescription("Peak learning rate (reached at the end of warm-up) at a global batch of 256 when"
      + " lrScaling is linear or sqrt, else as given.")
  public Double lr;

  @Pattern("^(linear|sqrt|none)$")
  @JsonPropertyDescription("How the learning rate follows the global batch B (batchSizePerWorker x world size),"
      + " SimCLR's rules with reference batch 256: linear (lr x B/256), sqrt (lr x sqrt(B/256)) or none (lr as given).")
  public String lrScaling;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Weight decay (decoupled for adamw; not applied to biases and norms).")
  public Double weightDecay;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Momentum (lars, sgd).")
  public Double momentum;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription("AdamW beta1.")
  public Double beta1;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription("AdamW beta2.")
  public Double beta2;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription("AdamW epsilon.")
  public Double epsilon;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription("LARS trust coefficient (eta).")
  public Double trustCoefficient;
}
