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
    value = "self.type == 'synthetic' || self.type == 'imagenet' || has(self.source)",
    message = "spec.dataset.source is required for cifar10, imagefolder and huggingface datasets")
@ValidationRule(
    value = "self.type != 'huggingface' || !has(self.source) || self.source.matches('" + DatasetSpec.REPO_ID + "')",
    message = "spec.dataset.source of a huggingface dataset must be a Hub repository id such as ILSVRC/imagenet-1k")
public class DatasetSpec {

  /** A Hub repository id: {@code name} or {@code owner/name}. */
  public static final String REPO_ID = "^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?$";

  @Default("synthetic")
  @Pattern("^(cifar10|imagefolder|huggingface|imagenet|synthetic)$")
  @JsonPropertyDescription("Dataset type: cifar10 (binary batches), imagefolder (class sub-folders of JPEG/PNG),"
      + " huggingface (a data set on the Hugging Face Hub, read from its Parquet files), imagenet (the preset"
      + " for huggingface ILSVRC/imagenet-1k) or synthetic.")
  public String type = "synthetic";

  @Pattern("^\\S+$")
  @JsonPropertyDescription("cifar10/imagefolder: folder with the data (on a volume in the cluster, a local path"
      + " elsewhere). huggingface: the Hub repository id, e.g. ILSVRC/imagenet-1k or uoft-cs/cifar10.")
  public String source;

  @Pattern("^\\S+$")
  @JsonPropertyDescription("huggingface: branch, tag or commit of the repository (default main).")
  public String revision;

  @Pattern("^[A-Za-z0-9][A-Za-z0-9_.-]*$")
  @JsonPropertyDescription("huggingface: split to train on (default train).")
  public String trainSplit;

  @Pattern("^[A-Za-z0-9][A-Za-z0-9_.-]*$")
  @JsonPropertyDescription("huggingface: split for kNN evaluation (default: validation, else test).")
  public String evalSplit;

  @Pattern("^[^\\s.]+$")
  @JsonPropertyDescription("huggingface: column holding the encoded JPEG/PNG images (default image).")
  public String imageColumn;

  @Pattern("^[^\\s.]+$")
  @JsonPropertyDescription("huggingface: column holding the integer class labels (default label).")
  public String labelColumn;

  @Min(1)
  @Max(64)
  @JsonPropertyDescription("huggingface: the rows of this many Parquet shards are shuffled together; a worker"
      + " holds at most twice as many shards in memory (default 2).")
  public Integer shuffleShards;

  @JsonPropertyDescription("huggingface: where downloaded files are kept (HF_HOME); a claim named here is reused by"
      + " gang restarts and later runs.")
  public DatasetCacheSpec cache;

  @Pattern("^(imagenet|measured)$")
  @JsonPropertyDescription("Input normalisation: imagenet (ImageNet's channel mean and std) or measured (over the"
      + " training split at start-up; decodes every training image once). Default: measured for cifar10 and"
      + " synthetic, imagenet otherwise.")
  public String normalization;

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
