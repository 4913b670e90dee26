package dev.contrastive.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/** Training progress; only trainer rank 0 writes it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProgressStatus {

  @JsonPropertyDescription("Current epoch (1-based; equals totalEpochs when done).")
  public Integer epoch;

  public Integer totalEpochs;

  @JsonPropertyDescription("Optimizer steps done.")
  public Long step;

  public Long totalSteps;

  @JsonPropertyDescription("Mean NT-Xent loss over the last interval.")
  public Double loss;

  @JsonPropertyDescription("Training images per second over all workers.")
  public Double imagesPerSecond;

  public Double learningRate;

  @JsonPropertyDescription("kNN top-1 accuracy (0..1) of the encoder on the held-out split.")
  public Double knnTop1;

  @JsonPropertyDescription("Path of the newest checkpoint.")
  public String lastCheckpoint;

  @JsonPropertyDescription("When the trainer wrote this (RFC 3339).")
  public String updatedAt;

  /** Longest {@link #message} the API server accepts; the trainer cuts longer ones. */
  public static final int MESSAGE_MAX_LENGTH = 512;

  @Size(max = MESSAGE_MAX_LENGTH)
  @JsonPropertyDescription("What the trainer does before its first step, e.g. 'downloading ILSVRC/imagenet-1k: 12/294"
      + " shards, 31 GB of 155 GB, ...'; empty once training runs.")
  public String message;

  /** Longest {@link #exportedModel} the API server accepts; the trainer leaves longer ones out. */
  public static final int EXPORTED_MODEL_MAX_LENGTH = 1024;

  @Size(max = EXPORTED_MODEL_MAX_LENGTH)
  @JsonPropertyDescription("Path of the encoder exported at the end of the run (safetensors with PyTorch's"
      + " names, see docs/export.md).")
  public String exportedModel;
}
