package dev.contrastive.operator.startup;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Optional;

/**
 * Asks the API server for its version with short timeouts, so that an operator started without a
 * cluster says so in one line instead of failing after 20 s with a long trace.
 */
public final class ApiServerCheck {

  private static final int TIMEOUT_MILLIS = 5_000;

  private ApiServerCheck() {}

  /** The one-line problem, or empty when the API server answered. */
  public static Optional<String> problem(Config config) {
    Config quick = new ConfigBuilder(config)
        .withConnectionTimeout(TIMEOUT_MILLIS)
        .withRequestTimeout(TIMEOUT_MILLIS)
        .withRequestRetryBackoffLimit(0)
        .build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(quick).build()) {
      client.getKubernetesVersion();
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of("contrastive-operator: cannot reach the Kubernetes API at "
          + config.getMasterUrl() + ": " + rootCause(e));
    }
  }

  private static String rootCause(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? "" : ": " + cause.getMessage();
    return (cause.getClass().getSimpleName() + message).lines().findFirst().orElse("");
  }
}
