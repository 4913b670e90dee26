package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Weighted kNN classification of held-out images by encoder features. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvaluationSpec {

  @Default("200")
  @Min(1)
  @Max(10000)
  @JsonPropertyDescription("Neighbours k of the kNN evaluation.")
  public Integer knnK = 200;

  @Default("0.1")
  @Min(value = 0, inclusive = false)
  @Max(10)
  @JsonPropertyDescription("Temperature of the kNN vote weights exp(similarity / t).")
  public Double knnTemperature = 0.1;
}
