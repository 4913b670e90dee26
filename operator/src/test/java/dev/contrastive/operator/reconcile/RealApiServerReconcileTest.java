package dev.contrastive.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.status.StatusPatcher;
import dev.contrastive.operator.testing.OperatorUnderTest;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same reconciler under plain JOSDK against a real kube-apiserver: schema defaulting, status
 * subresource, field managers and pod validation as a cluster has them.
 */
@Tag("slow")
class RealApiServerReconcileTest extends ReconcileBehaviour {

  @RegisterExtension
  static final OperatorUnderTest operator = OperatorUnderTest.onRealApiServer();

  /** Only here: the mock server drops status patches that name a field manager. */
  @Test
  void statusIsWrittenUnderTheOperatorsOwnFieldManager() {
    gpuNode("a", 1);
    createRun("simclr");

    ContrastiveTrainingRun run = awaitPhase("simclr", Phase.Pending);

    assertThat(run.getMetadata().getManagedFields())
        .filteredOn(f -> StatusPatcher.FIELD_MANAGER.equals(f.getManager()))
        .singleElement()
        .satisfies(f -> assertThat(f.getFieldsV1().getAdditionalProperties()).containsKey("f:status"));
  }

  @Override
  protected KubernetesClient client() {
    return operator.client();
  }
}
