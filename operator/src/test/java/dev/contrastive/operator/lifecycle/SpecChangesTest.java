package dev.contrastive.operator.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.api.spec.OptimizerSpec;
import dev.contrastive.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

class SpecChangesTest {

  @Test
  void namesEachChangedTrainingField() {
    ContrastiveTrainingRunSpec spec = Fixtures.run("r", "ns").getSpec();
    String started = SpecChanges.snapshot(spec);
    spec.optimizer = new OptimizerSpec();
    spec.optimizer.lr = 0.5;
    spec.image = "other:1";

    assertThat(SpecChanges.changedFields(started, spec)).containsExactly("spec.image", "spec.optimizer.lr");
  }

  @Test
  void runPolicyMayChange() {
    ContrastiveTrainingRunSpec spec = Fixtures.run("r", "ns").getSpec();
    String started = SpecChanges.snapshot(spec);
    spec.runPolicy.suspend = true;
    spec.runPolicy.backoffLimit = 9;

    assertThat(SpecChanges.changedFields(started, spec)).isEmpty();
  }
}
