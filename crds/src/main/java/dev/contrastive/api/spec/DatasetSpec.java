package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** Training and held-out images. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.type == 'synthetic' || has(self.source)",
    message = "spec.dataset.source is required for cifar10 and imagefolder datasets")
public class DatasetSpec {

  @Default("synthetic")
  @Pattern("^(cifar10|imagefolder|synthetic)$")
  @JsonPropertyDescription("Dataset type: cifar10 (binary batches), imagefolder (class sub-folders of JPEG/PNG) or synthetic.")
  public String type = "synthetic";

  @Pattern("^\\S+$")
  @JsonPropertyDescription("Folder with the data (on a volume in the cluster, a local path elsewhere).")
  public String source;

  @Min(8)
  @Max(1024)
  @JsonPropertyDescription("Side in pixels of the square training images (views are cropped and resized to it).")
  public Integer imageSize;

  @Min(0)
  @JsonPropertyDescription("Use at most this many training images (0 = all).")
  public Integer maxTrainImages;

  @Min(0)
  @JsonPropertyDescription("Use at most this many held-out images for kNN evaluation (0 = all).")
  public Integer maxTestImages;

  @Min(2)
  @Max(100000)
  @JsonPropertyDescription("Synthetic data: number of classes.")
  public Integer numClasses;

  @Min(1)
  @Max(64)
  @JsonPropertyDescription("Background threads that decode and augment batches ahead of training.")
  public Integer loaderThreads;
}
