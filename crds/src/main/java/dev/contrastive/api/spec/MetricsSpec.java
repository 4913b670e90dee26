package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** The trainer processes' Prometheus endpoint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MetricsSpec {

  @Default("9400")
  @Min(0)
  @Max(65535)
  @JsonPropertyDescription("Port of each trainer process's /metrics (Prometheus text format): local rank 0 "
      + "listens on it, further processes of a pod on the next ports; 0 turns the endpoint off.")
  public Integer port = 9400;

  /** The port of the process with this local rank; 0 when the endpoint is off. */
  public int portOf(int localRank) {
    return port == null || port == 0 ? 0 : port + localRank;
  }
}
