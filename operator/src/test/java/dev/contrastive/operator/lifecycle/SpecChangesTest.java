package dev.contrastive.operator.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.operator.plan.ResolvedRun;
import dev.contrastive.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

class SpecChangesTest {

  @Test
  void namesEachChangedTrainingField() {
    ContrastiveTrainingRunSpec spec = ResolvedRun.resolveInPlace(Fixtures.run("r", "ns")).getSpec();
    String started = SpecChanges.snapshot(spec);
    spec.optimizer.lr = 0.5;
    spec.image = "other:1";

    assertThat(SpecChanges.changedFields(started, spec)).containsExactly("spec.optimizer.lr");
  }

  @Test
  void runPolicyAndClusterFieldsMayChange() {
    ContrastiveTrainingRunSpec spec = ResolvedRun.resolveInPlace(Fixtures.run("r", "ns")).getSpec();
    String started = SpecChanges.snapshot(spec);
    spec.runPolicy.suspend = true;
    spec.runPolicy.backoffLimit = 9;
    spec.image = "other:1";
    spec.resources.cpu = "4";

    assertThat(SpecChanges.changedFields(started, spec)).isEmpty();
  }

  @Test
  void aSnapshotOfTheSpecAsWrittenComparesByWhatItMeant() {
    ContrastiveTrainingRunSpec written = Fixtures.run("r", "ns").getSpec();
    written.architecture.preset = "resnet50";
    String started = SpecChanges.snapshot(written);
    ContrastiveTrainingRunSpec spelledOut = Fixtures.run("r", "ns").getSpec();
    spelledOut.architecture.preset = "resnet50";
    spelledOut.architecture.depth = 50;
    spelledOut = ResolvedRun.resolveInPlace(withSpec(spelledOut)).getSpec();

    assertThat(SpecChanges.changedFields(started, spelledOut)).isEmpty();
    spelledOut.architecture.depth = 101;
    assertThat(SpecChanges.changedFields(started, spelledOut)).containsExactly("spec.architecture.depth");
  }

  private static dev.contrastive.api.ContrastiveTrainingRun withSpec(ContrastiveTrainingRunSpec spec) {
    dev.contrastive.api.ContrastiveTrainingRun run = Fixtures.run("r", "ns");
    run.setSpec(spec);
    return run;
  }
}
