package dev.contrastive.operator.reconcile;

import dev.contrastive.operator.testing.RealApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The lifecycle on a real kube-apiserver (no scheduler, kubelet or garbage collector: the test plays them). */
class RealApiServerLifecycleTest extends LifecycleBehaviour {

  private static Operator operator;

  @BeforeAll
  static void startOperator() {
    operator = start();
  }

  @AfterAll
  static void stopOperator() {
    operator.stop();
  }

  @Override
  protected KubernetesClient client() {
    return RealApiServer.get().client();
  }

  @Override
  protected void restartOperator() {
    operator.stop();
    operator = start();
  }

  private static Operator start() {
    Operator started = new Operator(o -> o.withKubernetesClient(RealApiServer.get().client()).withCloseClientOnStop(false));
    started.register(new ContrastiveTrainingRunReconciler(Optional.of(
        dev.contrastive.operator.status.StatusPatcher.FIELD_MANAGER)));
    started.start();
    return started;
  }
}
