package dev.contrastive.operator.reconcile;

import dev.contrastive.operator.testing.RealApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The same reconciler under plain JOSDK against a real kube-apiserver: schema defaulting, status
 * subresource, field managers and pod validation as a cluster has them.
 */
class RealApiServerReconcileTest extends ReconcileBehaviour {

  private static Operator operator;

  @BeforeAll
  static void startOperator() {
    operator = new Operator(o -> o.withKubernetesClient(RealApiServer.get().client()).withCloseClientOnStop(false));
    operator.register(new ContrastiveTrainingRunReconciler());
    operator.start();
  }

  @AfterAll
  static void stopOperator() {
    operator.stop();
  }

  @Override
  protected KubernetesClient client() {
    return RealApiServer.get().client();
  }
}
