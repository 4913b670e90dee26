package dev.contrastive.operator.testing;

import dev.contrastive.operator.reconcile.ContrastiveTrainingRunReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The reconciler under plain JOSDK on a test's client: each call is a new operator process (fresh
 * caches), which tests stop and start again. The client outlives it.
 */
public final class TestOperators {

  private TestOperators() {}

  /** @param statusFieldManager empty on the Fabric8 mock server, which drops patches that name one */
  public static Operator start(KubernetesClient client, Optional<String> statusFieldManager) {
    return start(client, statusFieldManager, overrider -> {});
  }

  /** As {@link #start(KubernetesClient, Optional)}, with more operator settings. */
  public static Operator start(KubernetesClient client, Optional<String> statusFieldManager,
      Consumer<ConfigurationServiceOverrider> settings) {
    Operator operator = new Operator(o -> settings.accept(o.withKubernetesClient(client).withCloseClientOnStop(false)));
    operator.register(new ContrastiveTrainingRunReconciler(statusFieldManager));
    operator.start();
    return operator;
  }
}
