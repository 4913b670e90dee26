package dev.contrastive.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.contrastive.api.naming.RunName;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** The gang: how many ranks are planned, how many run, and where. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkersStatus {

  @JsonPropertyDescription("Worker pods of the current gang (nodes on GPUs).")
  public Integer desired;

  @JsonPropertyDescription("Worker pods that are running and ready.")
  public Integer ready;

  @JsonPropertyDescription("ready/desired, for kubectl get.")
  public String summary;

  @Size(max = RunName.MAX_WORKERS)
  @JsonPropertyDescription("Node of each worker pod, in node-rank order.")
  public List<String> nodes = new ArrayList<>();

  @JsonPropertyDescription("Training processes of the current gang (WORLD_SIZE): workers x processes per worker.")
  public Integer worldSize;

  public static WorkersStatus of(int desired, int ready, List<String> nodes) {
    return of(desired, ready, nodes, desired);
  }

  /** A gang of {@code desired} worker pods running {@code worldSize} training processes in all. */
  public static WorkersStatus of(int desired, int ready, List<String> nodes, int worldSize) {
    WorkersStatus status = new WorkersStatus();
    status.worldSize = worldSize;
    status.desired = desired;
    status.ready = ready;
    status.summary = ready + "/" + desired;
    status.nodes = new ArrayList<>(nodes);
    return status;
  }
}
