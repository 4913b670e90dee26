package dev.contrastive.local.operator;

import dev.contrastive.operator.reconcile.ContrastiveTrainingRunReconciler;
import dev.contrastive.operator.status.StatusPatcher;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.util.Optional;

/**
 * The operator's reconciler under plain Java Operator SDK, in this JVM: the same controller the
 * Quarkus app runs in a cluster, without CDI. It can be restarted (a new {@link Operator}
 * instance that adopts runs from the cluster state alone), as a crashed operator pod would be.
 */
public final class InProcessOperator implements AutoCloseable {

  private final KubernetesClient client;
  private final Optional<String> statusFieldManager;
  private Operator operator;

  private InProcessOperator(KubernetesClient client, Optional<String> statusFieldManager) {
    this.client = client;
    this.statusFieldManager = statusFieldManager;
  }

  /**
   * @param fieldManagedStatus whether status patches may name a field manager (a real API server;
   *     the Fabric8 mock server drops such patches)
   */
  public static InProcessOperator start(KubernetesClient client, boolean fieldManagedStatus) {
    InProcessOperator local = new InProcessOperator(client,
        fieldManagedStatus ? Optional.of(StatusPatcher.FIELD_MANAGER) : Optional.empty());
    local.startOperator();
    return local;
  }

  /** Stops this operator and starts a fresh one, with empty caches and no memory of the last. */
  public synchronized void restart() {
    stopOperator();
    startOperator();
  }

  @Override
  public synchronized void close() {
    stopOperator();
  }

  private synchronized void startOperator() {
    Operator next = new Operator(o -> o
        .withKubernetesClient(client)
        // The client belongs to the local cluster, which outlives any operator instance.
        .withCloseClientOnStop(false)
        .withConcurrentReconciliationThreads(2));
    next.register(new ContrastiveTrainingRunReconciler(statusFieldManager));
    next.start();
    operator = next;
  }

  private void stopOperator() {
    if (operator != null) {
      operator.stop();
      operator = null;
    }
  }
}
