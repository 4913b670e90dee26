package dev.contrastive.operator.reconcile;

import dev.contrastive.operator.testing.OperatorUnderTest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lifecycle on the Fabric8 mock server in CRUD mode, under plain JOSDK so that the operator can
 * be stopped and started again like a new process.
 */
@Tag("slow")
@EnableKubernetesMockClient(crud = true)
class MockServerLifecycleTest extends LifecycleBehaviour {

  static KubernetesClient client;
  @RegisterExtension
  static final OperatorUnderTest operator = OperatorUnderTest.onMockServer(() -> client);

  @Override
  protected KubernetesClient client() {
    return client;
  }

  @Override
  protected void restartOperator() {
    operator.restart();
  }
}
