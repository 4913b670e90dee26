package dev.contrastive.operator.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's memory of a run, in the ConfigMap {@code <run>-state}, which the trainer's Role
 * cannot read or write (it grants no ConfigMaps at all): its own status fields (phase, conditions,
 * the gang's nodes, restart count, start and completion time), the spec the gang runs
 * ({@code gangSpec}, a {@code SpecChanges} snapshot) and the reason a finished run ended
 * ({@code finalReason}). The run's status is a display copy that each trainer may patch; the
 * operator decides only on this record, so a forged {@code status.restarts},
 * {@code status.workers.nodes}, {@code status.startTime} or condition changes nothing but what
 * {@code kubectl get} shows until the next reconcile writes it back.
 *
 * @param status the operator's fields; {@code progress} is left out (the trainer's, untrusted)
 * @param gangSpec null until a gang is planned
 * @param finalReason null while the run is not finished
 */
public record RunState(ContrastiveTrainingRunStatus status, String gangSpec, String finalReason) {

  public static final String KEY = "status.json";
  public static final String GANG_SPEC = "gangSpec";
  public static final String FINAL_REASON = "finalReason";
  private static final ObjectMapper JSON = Serialization.jsonMapper();

  public ConfigMap configMap(ContrastiveTrainingRun run) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(KEY, json(status));
    if (gangSpec != null) {
      data.put(GANG_SPEC, gangSpec);
    }
    if (finalReason != null) {
      data.put(FINAL_REASON, finalReason);
    }
    return new ConfigMapBuilder().withMetadata(Owned.meta(run, RunNames.state(run)).build()).withData(data).build();
  }

  public static String json(ContrastiveTrainingRunStatus status) {
    ObjectNode fields = JSON.valueToTree(status);
    fields.remove("progress");
    return fields.toString();
  }

  /**
   * The recorded state, empty when the ConfigMap holds no status.
   *
   * @throws IllegalArgumentException naming the ConfigMap when its record cannot be read
   */
  public static Optional<RunState> read(ConfigMap state) {
    Map<String, String> data = state.getData() == null ? Map.of() : state.getData();
    String json = data.get(KEY);
    if (json == null) {
      return Optional.empty();
    }
    ContrastiveTrainingRunStatus status;
    try {
      status = JSON.readValue(json, ContrastiveTrainingRunStatus.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("ConfigMap " + state.getMetadata().getName() + " (the operator's record of"
          + " the run) has a " + KEY + " that cannot be read (" + e.getOriginalMessage() + "); delete the ConfigMap"
          + " to start the run's bookkeeping afresh", e);
    }
    status.progress = null;
    String finalReason = data.get(FINAL_REASON);
    if (finalReason == null && status.phase != null && status.phase.isFinished() && status.conditions != null) {
      // A record written before finalReason was kept: its own Ready condition (never the display copy's) says it.
      finalReason = status.conditions.stream().filter(c -> "Ready".equals(c.getType()))
          .map(c -> c.getReason()).findFirst().orElse(null);
    }
    return Optional.of(new RunState(status, data.get(GANG_SPEC), finalReason));
  }
}
