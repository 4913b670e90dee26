package dev.contrastive.operator.plan;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.spec.MlflowSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * What the trainer's experiment tracking needs from the pod: the run's uid (an MLflow run is
 * found again by it after a gang restart) and the MLflow token from {@code
 * tracking.mlflow.tokenSecret}, read by the kubelet so the operator never sees it.
 */
public final class TrackingEnv {

  /** The key of the token in {@code tracking.mlflow.tokenSecret}. */
  public static final String TOKEN_KEY = "token";

  private TrackingEnv() {}

  public static List<EnvVar> of(ContrastiveTrainingRun run) {
    List<EnvVar> env = new ArrayList<>();
    if (run.getMetadata().getUid() != null) {
      env.add(new EnvVarBuilder().withName("RUN_UID").withValue(run.getMetadata().getUid()).build());
    }
    MlflowSpec mlflow = run.getSpec().tracking == null ? null : run.getSpec().tracking.mlflow;
    if (mlflow != null && mlflow.trackingUri != null && mlflow.tokenSecret != null) {
      env.add(new EnvVarBuilder().withName("MLFLOW_TRACKING_TOKEN")
          .withNewValueFrom().withNewSecretKeyRef().withName(mlflow.tokenSecret).withKey(TOKEN_KEY)
          .endSecretKeyRef().endValueFrom().build());
    }
    return env;
  }
}
