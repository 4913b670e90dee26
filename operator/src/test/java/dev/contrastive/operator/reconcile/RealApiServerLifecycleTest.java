package dev.contrastive.operator.reconcile;

import dev.contrastive.operator.testing.OperatorUnderTest;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The lifecycle on a real kube-apiserver (no scheduler, kubelet or garbage collector: the test plays them). */
@Tag("slow")
class RealApiServerLifecycleTest extends LifecycleBehaviour {

  @RegisterExtension
  static final OperatorUnderTest operator = OperatorUnderTest.onRealApiServer();

  @Override
  protected KubernetesClient client() {
    return operator.client();
  }

  @Override
  protected void restartOperator() {
    operator.restart();
  }
}
