package dev.contrastive.operator.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Optional;

/**
 * The operator's memory of a run: its own status fields (phase, conditions, the gang's nodes,
 * restart count, start and completion time) in the ConfigMap {@code <run>-state}, which the
 * trainer's Role cannot read or write (it grants no ConfigMaps at all). The run's status is a
 * display copy that each trainer may patch; the operator decides only on this record, so a
 * forged {@code status.restarts}, {@code status.workers.nodes} or {@code status.startTime}
 * changes nothing but what {@code kubectl get} shows until the next reconcile writes it back.
 */
public final class RunState {

  public static final String KEY = "status.json";
  private static final ObjectMapper JSON = Serialization.jsonMapper();

  private RunState() {}

  /** @param status the operator's fields; {@code progress} is left out (the trainer's, untrusted) */
  public static ConfigMap configMap(ContrastiveTrainingRun run, ContrastiveTrainingRunStatus status) {
    return new ConfigMapBuilder()
        .withMetadata(Owned.meta(run, RunNames.state(run)).build())
        .addToData(KEY, json(status))
        .build();
  }

  public static String json(ContrastiveTrainingRunStatus status) {
    ObjectNode fields = JSON.valueToTree(status);
    fields.remove("progress");
    return fields.toString();
  }

  /**
   * The recorded status, empty when the ConfigMap holds none.
   *
   * @throws IllegalArgumentException naming the ConfigMap when its record cannot be read
   */
  public static Optional<ContrastiveTrainingRunStatus> read(ConfigMap state) {
    String json = state.getData() == null ? null : state.getData().get(KEY);
    if (json == null) {
      return Optional.empty();
    }
    try {
      ContrastiveTrainingRunStatus status = JSON.readValue(json, ContrastiveTrainingRunStatus.class);
      status.progress = null;
      return Optional.of(status);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("ConfigMap " + state.getMetadata().getName() + " (the operator's record of"
          + " the run) has a " + KEY + " that cannot be read (" + e.getOriginalMessage() + "); delete the ConfigMap"
          + " to start the run's bookkeeping afresh", e);
    }
  }
}
