package dev.contrastive.operator.reconcile;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;

/** The Quarkus operator as packaged, against the Fabric8 mock server in CRUD mode. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class MockServerReconcileTest extends ReconcileBehaviour {

  @Inject
  KubernetesClient client;

  @Override
  protected KubernetesClient client() {
    return client;
  }
}
