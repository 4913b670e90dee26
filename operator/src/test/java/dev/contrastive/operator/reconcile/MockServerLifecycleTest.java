package dev.contrastive.operator.reconcile;

import dev.contrastive.operator.testing.RealApiServer;
import dev.contrastive.operator.testing.TestOperators;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * The lifecycle on the Fabric8 mock server in CRUD mode, under plain JOSDK so that the operator can
 * be stopped and started again like a new process.
 */
@Tag("slow")
@EnableKubernetesMockClient(crud = true)
class MockServerLifecycleTest extends LifecycleBehaviour {

  static KubernetesClient client;
  private static Operator operator;

  @BeforeAll
  static void startOperator() {
    // The CRD makes the mock server treat status as a subresource, as a cluster does.
    CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions()
        .load(RealApiServer.CRD.toFile()).item();
    client.resource(crd).create();
    operator = start();
  }

  @AfterAll
  static void stopOperator() {
    operator.stop();
  }

  @Override
  protected KubernetesClient client() {
    return client;
  }

  @Override
  protected void restartOperator() {
    operator.stop();
    operator = start();
  }

  private static Operator start() {
    return TestOperators.start(client, Optional.empty());
  }
}
