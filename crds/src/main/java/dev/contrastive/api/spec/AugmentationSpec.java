package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** SimCLR augmentations, applied batched to both views. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.cropScaleMin) || !has(self.cropScaleMax) || self.cropScaleMin <= self.cropScaleMax",
    message = "spec.augmentation.cropScaleMin must not exceed spec.augmentation.cropScaleMax")
public class AugmentationSpec {

  @Default("0.08")
  @Min(value = 0, inclusive = false)
  @Max(1)
  @JsonPropertyDescription("Random resized crop: smallest fraction of the image area.")
  public Double cropScaleMin = 0.08;

  @Default("1.0")
  @Min(value = 0, inclusive = false)
  @Max(1)
  @JsonPropertyDescription("Random resized crop: largest fraction of the image area.")
  public Double cropScaleMax = 1.0;

  @Default("0.5")
  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Probability of a horizontal flip.")
  public Double flipProbability = 0.5;

  @Default("0.8")
  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Probability of colour jitter.")
  public Double colorJitterProbability = 0.8;

  @Default("0.5")
  @Min(0)
  @Max(2)
  @JsonPropertyDescription("Colour jitter strength s: brightness, contrast, saturation 0.8 s, hue 0.2 s.")
  public Double colorJitterStrength = 0.5;

  @Default("0.2")
  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Probability of converting a view to greyscale.")
  public Double grayscaleProbability = 0.2;

  @Default("0.5")
  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Probability of Gaussian blur (only for images of blurMinImageSize pixels or more).")
  public Double blurProbability = 0.5;

  @Default("64")
  @Min(1)
  @JsonPropertyDescription("Smallest image size that gets Gaussian blur (SimCLR skips it for CIFAR).")
  public Integer blurMinImageSize = 64;
}
