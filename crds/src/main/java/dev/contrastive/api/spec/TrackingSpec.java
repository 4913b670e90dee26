package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/**
 * Experiment tracking: where rank 0 sends the run's parameters, metrics and pictures, under a
 * group (experiment) and a name, as W&B's {@code logger.group} and {@code logger.name} did.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrackingSpec {

  @Pattern("^[^\\s/][^/]{0,254}$")
  @JsonPropertyDescription("Experiment (group) the run is filed under in MLflow, and its TensorBoard folder; "
      + "unset: MLflow's Default experiment.")
  public String experiment;

  @Pattern("^[A-Za-z0-9][-A-Za-z0-9_.]{0,252}$")
  @JsonPropertyDescription("Name of the run in the tracking backends; unset: the ContrastiveTrainingRun's name.")
  public String runName;

  @Default("4")
  @Min(0)
  @Max(16)
  @JsonPropertyDescription("Held-out images whose nearest training images rank 0 draws in a contact sheet "
      + "at every kNN evaluation (logged to TensorBoard and MLflow); 0 draws none.")
  public Integer contactSheetQueries = 4;

  @JsonPropertyDescription("MLflow tracking server.")
  public MlflowSpec mlflow = new MlflowSpec();

  @JsonPropertyDescription("TensorBoard event files beside the checkpoints.")
  public TensorBoardSpec tensorboard = new TensorBoardSpec();
}
