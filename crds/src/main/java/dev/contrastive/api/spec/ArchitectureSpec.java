package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.contrastive.api.encoder.ArchitectureRules;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Encoder choice. {@code preset} names a YAML preset (resnet18, resnet101, mixer_s16, parallel_vit_s16, ...);
 * every other field is null unless the user overrides what the preset sets.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ArchitectureSpec {

  // preset, family and stem are choices: their allowed values come from api.encoder (EncoderFamily,
  // ResNetStem) and reach the CRD through crd.ArchitectureSchema, the checks through SchemaChecks
  @Default(ArchitectureRules.DEFAULT_PRESET)
  @JsonPropertyDescription("Architecture preset: a named encoder (family, depth, width, ...) that the settings below override.")
  public String preset = ArchitectureRules.DEFAULT_PRESET;

  @JsonPropertyDescription("Encoder family (set by the preset).")
  public String family;

  @Min(1)
  @Max(200)
  @JsonPropertyDescription("ResNet: number of layers (one of the ResNet depths); Mixer/ViT: number of blocks.")
  public Integer depth;

  // libtorch 2.7.1's oneDNN convolution backward on AVX-512 returns garbage and NaN input gradients
  // for channel counts that are not a multiple of its SIMD block (16 floats), and wrong ones for a
  // stride-2 3x3 convolution from 48, 80, 112, ... (odd multiples of 16) channels: docs/cpu.md
  @Min(16)
  @Max(8192)
  @ValidationRule(
      value = "self == 16 || self % 32 == 0",
      message = "spec.architecture.width must be 16 or a multiple of 32 (other widths get wrong gradients on AVX-512 CPUs)")
  @JsonPropertyDescription("ResNet: channels of the first stage; Mixer/ViT: embedding width. 16 or a multiple of 32: other widths get wrong gradients from libtorch on AVX-512 CPUs (docs/cpu.md).")
  public Integer width;

  @Min(1)
  @Max(64)
  @JsonPropertyDescription("Mixer/ViT: patch size in pixels.")
  public Integer patchSize;

  @Min(1)
  @Max(128)
  @JsonPropertyDescription("ViT: attention heads.")
  public Integer heads;

  @Min(value = 0, inclusive = false)
  @Max(16)
  @JsonPropertyDescription("Mixer/ViT: hidden width of the MLP as a multiple of the width.")
  public Double mlpRatio;

  @JsonPropertyDescription("ResNet stem: cifar (3x3 stride 1, no max-pool) or imagenet (7x7 stride 2 + max-pool).")
  public String stem;

  @JsonPropertyDescription("ViT: normalise queries and keys (QK-norm).")
  public Boolean qkNorm;

  @Min(1)
  @Max(65536)
  @JsonPropertyDescription("Projection head hidden width.")
  public Integer projectionHiddenDim;

  @Min(1)
  @Max(65536)
  @JsonPropertyDescription("Projection head output width (the space of the NT-Xent loss).")
  public Integer projectionDim;

  @Default("true")
  @JsonPropertyDescription("BatchNorm in training uses the statistics of the whole global batch (all workers), forward"
      + " and backward, as torch.nn.SyncBatchNorm and SimCLR at scale (one small all-reduce per layer each way);"
      + " running statistics are then the same on every worker. false: each worker normalises by its own batch and"
      + " rank 0's running statistics are broadcast. No effect with one worker.")
  public Boolean syncBatchNorm = true;
}
