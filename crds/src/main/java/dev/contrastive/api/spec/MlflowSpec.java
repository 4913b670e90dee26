package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** An MLflow tracking server that rank 0 logs the run to (off while trackingUri is unset). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MlflowSpec {

  @Pattern("^https?://\\S+$")
  @JsonPropertyDescription("MLflow tracking server URL, e.g. http://mlflow.mlflow:5000; unset: no MLflow.")
  public String trackingUri;

  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription("Secret in the run's namespace whose key 'token' is sent as bearer token "
      + "(MLFLOW_TRACKING_TOKEN); unset: none, or what the pod's environment sets.")
  public String tokenSecret;
}
