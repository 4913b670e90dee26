package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Length of training, batch size, intervals and seed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainerSpec {

  @Default("100")
  @Min(1)
  @Max(100000)
  @JsonPropertyDescription("Number of epochs.")
  public Integer maxEpochs = 100;

  @Default("256")
  @Min(2)
  @Max(65536)
  @JsonPropertyDescription("Images per worker per step (each gives two views).")
  public Integer batchSizePerWorker = 256;

  @Default("0")
  @Min(0)
  @JsonPropertyDescription("Stop each epoch after this many steps (0 = the whole shard); for demos and tests.")
  public Integer maxStepsPerEpoch = 0;

  @Default("1")
  @Min(0)
  @Max(100000)
  @JsonPropertyDescription("Run kNN evaluation every this many epochs (0 = only at the end).")
  public Integer evaluationIntervalEpochs = 1;

  @Default("1")
  @Min(1)
  @Max(100000)
  @JsonPropertyDescription("Write a checkpoint every this many epochs (and always at the end).")
  public Integer checkpointIntervalEpochs = 1;

  @Default("3")
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Keep the newest this many checkpoints.")
  public Integer keepCheckpoints = 3;

  @Default("10")
  @Min(1)
  @JsonPropertyDescription("Log a progress line every this many steps.")
  public Integer logIntervalSteps = 10;

  @Default("10")
  @Min(1)
  @Max(3600)
  @JsonPropertyDescription("Rank 0 writes status.progress at most this often (seconds).")
  public Integer statusIntervalSeconds = 10;

  @Default("fp32")
  @Pattern("^(fp32|bf16|fp16)$")
  @JsonPropertyDescription("Compute precision of the encoder and head: fp32, bf16 or fp16. Mixed precision: parameters,"
      + " gradients, optimizer state and checkpoints stay fp32, normalisation layers keep fp32 scales and statistics,"
      + " the loss is fp32; fp16 scales the loss and skips steps whose gradients overflow.")
  public String precision = "fp32";

  @Default("42")
  @JsonPropertyDescription("Seed of initialisation, shuffling and augmentation.")
  public Long seed = 42L;
}
