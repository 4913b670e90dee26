package dev.contrastive.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * Observed state of a run. The operator owns everything but {@code progress}, which trainer rank 0
 * writes with its own field manager.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ContrastiveTrainingRunStatus {

  @JsonPropertyDescription("Pending, Queued (waiting for Kueue's admission), Running, Succeeded, Failed or Suspended.")
  public Phase phase;

  @JsonPropertyDescription("Why the run is in this phase, for people.")
  public String message;

  @JsonPropertyDescription("The spec generation this status describes.")
  public Long observedGeneration;

  /** The operator writes seven types at most; a bound keeps a forged status from growing without end. */
  public static final int MAX_CONDITIONS = 16;

  @Size(max = MAX_CONDITIONS)
  @JsonPropertyDescription("Kubernetes-style conditions: Ready, Running, Succeeded, Failed, Suspended, Queued (runs in a Kueue queue).")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Planned and ready workers.")
  public WorkersStatus workers;

  @JsonPropertyDescription("Gang restarts so far.")
  public Integer restarts;

  @JsonPropertyDescription("When the first gang started (RFC 3339).")
  public String startTime;

  @JsonPropertyDescription("When the run Succeeded or Failed (RFC 3339).")
  public String completionTime;

  @JsonPropertyDescription("Training progress, written by trainer rank 0.")
  public ProgressStatus progress;
}
