package dev.contrastive.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;

/**
 * Training progress; only trainer rank 0 writes it. The operator never decides on it, and the
 * schema bounds every field (no negative counters or rates, strings of bounded length), so a
 * compromised trainer can neither fill the run object nor show impossible values.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProgressStatus {

  @Min(0)
  @JsonPropertyDescription("Current epoch (1-based; equals totalEpochs when done).")
  public Integer epoch;

  @Min(0)
  public Integer totalEpochs;

  @Min(0)
  @JsonPropertyDescription("Optimizer steps done.")
  public Long step;

  @Min(0)
  public Long totalSteps;

  @JsonPropertyDescription("Mean NT-Xent loss over the last interval.")
  public Double loss;

  @Min(0)
  @JsonPropertyDescription("Training images per second over all workers.")
  public Double imagesPerSecond;

  @Min(0)
  public Double learningRate;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription("kNN top-1 accuracy (0..1) of the encoder on the held-out split.")
  public Double knnTop1;

  /** Longest {@link #lastCheckpoint} the API server accepts; the trainer leaves longer ones out. */
  public static final int PATH_MAX_LENGTH = 1024;

  @Size(max = PATH_MAX_LENGTH)
  @JsonPropertyDescription("Path of the newest checkpoint.")
  public String lastCheckpoint;

  /** Longest {@link #updatedAt}: an RFC 3339 time with nanoseconds and an offset is 35. */
  public static final int TIME_MAX_LENGTH = 64;

  @Size(max = TIME_MAX_LENGTH)
  @JsonPropertyDescription("When the trainer wrote this (RFC 3339).")
  public String updatedAt;

  /** Longest {@link #message} the API server accepts; the trainer cuts longer ones. */
  public static final int MESSAGE_MAX_LENGTH = 512;

  @Size(max = MESSAGE_MAX_LENGTH)
  @JsonPropertyDescription("What the trainer does before its first step, e.g. 'downloading ILSVRC/imagenet-1k: 12/294"
      + " shards, 31 GB of 155 GB, ...'; empty once training runs, except a warning naming each checkpoint"
      + " skipped at resume because it did not verify (kept while this gang runs).")
  public String message;

  /** Longest {@link #exportedModel} the API server accepts; the trainer leaves longer ones out. */
  public static final int EXPORTED_MODEL_MAX_LENGTH = PATH_MAX_LENGTH;

  @Size(max = EXPORTED_MODEL_MAX_LENGTH)
  @JsonPropertyDescription("Path of the encoder exported at the end of the run (safetensors with PyTorch's"
      + " names, see docs/export.md).")
  public String exportedModel;

  /** {@code path} when it fits {@link #PATH_MAX_LENGTH}, else null (left out rather than cut: a cut path misleads). */
  public static String boundedPath(String path) {
    return path != null && path.length() <= PATH_MAX_LENGTH ? path : null;
  }
}
