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

  @Default("0")
  @Min(0)
  @JsonPropertyDescription("Training images the held-out images are classified by: this many, evenly spaced over"
      + " the training split (0 = all of it). Every rank holds their features in memory, so ImageNet-sized"
      + " splits need a cap (1.28 M x 2048 floats of ResNet-50 are 10 GB; at most 2 GB fit).")
  public Integer knnTrainImages = 0;
}
