package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Linear warm-up to the peak learning rate, then cosine decay (or constant). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SchedulerSpec {

  @Default("cosine")
  @Pattern("^(cosine|constant)$")
  @JsonPropertyDescription("Decay after warm-up: cosine or constant.")
  public String type = "cosine";

  @Default("0")
  @Min(0)
  @Max(10000)
  @JsonPropertyDescription("Epochs of linear warm-up.")
  public Integer warmupEpochs = 0;

  @Default("0.0")
  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Final learning rate as a fraction of the peak.")
  public Double minLrRatio = 0.0;
}
