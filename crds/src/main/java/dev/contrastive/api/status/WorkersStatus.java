package dev.contrastive.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** The gang: how many ranks are planned, how many run, and where. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkersStatus {

  @JsonPropertyDescription("World size of the current gang.")
  public Integer desired;

  @JsonPropertyDescription("Workers whose pod is running and ready.")
  public Integer ready;

  @JsonPropertyDescription("ready/desired, for kubectl get.")
  public String summary;

  @JsonPropertyDescription("Node of each rank, in rank order.")
  public List<String> nodes = new ArrayList<>();

  public static WorkersStatus of(int desired, int ready, List<String> nodes) {
    WorkersStatus status = new WorkersStatus();
    status.desired = desired;
    status.ready = ready;
    status.summary = ready + "/" + desired;
    status.nodes = new ArrayList<>(nodes);
    return status;
  }
}
