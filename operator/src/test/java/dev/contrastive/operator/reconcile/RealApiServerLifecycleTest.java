package dev.contrastive.operator.reconcile;

import dev.contrastive.operator.status.StatusPatcher;
import dev.contrastive.operator.testing.RealApiServer;
import dev.contrastive.operator.testing.TestOperators;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** The lifecycle on a real kube-apiserver (no scheduler, kubelet or garbage collector: the test plays them). */
@Tag("slow")
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
    return TestOperators.start(RealApiServer.get().operatorClient(), Optional.of(StatusPatcher.FIELD_MANAGER));
  }
}
