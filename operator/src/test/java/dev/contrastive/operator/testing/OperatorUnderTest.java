package dev.contrastive.operator.testing;

import dev.contrastive.operator.status.StatusPatcher;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension: the reconciler under plain JOSDK ({@link TestOperators}) for one test class,
 * started before its tests and stopped after them, on the real API server (as the operator's
 * ServiceAccount, with the rights deploy/rbac.yaml grants) or on the class's Fabric8 mock server.
 * <pre>{@code @RegisterExtension static final OperatorUnderTest operator = OperatorUnderTest.onRealApiServer();}</pre>
 */
public final class OperatorUnderTest implements BeforeAllCallback, AfterAllCallback {

  private final Supplier<KubernetesClient> client;
  private final Supplier<KubernetesClient> operatorClient;
  private final Optional<String> statusFieldManager;
  private final boolean applyCrd;
  private Operator operator;

  private OperatorUnderTest(Supplier<KubernetesClient> client, Supplier<KubernetesClient> operatorClient,
      Optional<String> statusFieldManager, boolean applyCrd) {
    this.client = client;
    this.operatorClient = operatorClient;
    this.statusFieldManager = statusFieldManager;
    this.applyCrd = applyCrd;
  }

  /** On {@link RealApiServer}, which has the CRD installed. */
  public static OperatorUnderTest onRealApiServer() {
    return new OperatorUnderTest(() -> RealApiServer.get().client(), () -> RealApiServer.get().operatorClient(),
        Optional.of(StatusPatcher.FIELD_MANAGER), false);
  }

  /**
   * On the class's {@code @EnableKubernetesMockClient(crud = true)} server, whose extension sets
   * the client before this one starts. The CRD is applied first: it makes the mock server treat
   * status as a subresource, as a cluster does. No status field manager: the mock server drops
   * patches that name one.
   */
  public static OperatorUnderTest onMockServer(Supplier<KubernetesClient> client) {
    return new OperatorUnderTest(client, client, Optional.empty(), true);
  }

  /** The cluster's administrator: tests set the scene with it. */
  public KubernetesClient client() {
    return client.get();
  }

  /** Stops the operator and starts a new one, as a new process would (fresh caches). */
  public void restart() {
    operator.stop();
    operator = TestOperators.start(operatorClient.get(), statusFieldManager);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (applyCrd) {
      CustomResourceDefinition crd = client().apiextensions().v1().customResourceDefinitions()
          .load(RealApiServer.CRD.toFile()).item();
      client().resource(crd).create();
    }
    operator = TestOperators.start(operatorClient.get(), statusFieldManager);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    operator.stop();
  }
}
