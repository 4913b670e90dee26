package dev.contrastive.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PhaseEventsTest {

  private final ContrastiveTrainingRun run = Fixtures.run("simclr", "team-a");
  private final Instant now = Instant.parse("2026-12-02T10:00:00.700Z");

  @Test
  void aReasonOnARunHasOneStableName() {
    String name = PhaseEvents.name(run, Outcome.WORKER_FAILED);

    assertThat(name).matches("simclr\\.[0-9a-f]{16}").isEqualTo(PhaseEvents.name(run, Outcome.WORKER_FAILED));
    assertThat(PhaseEvents.name(run, Outcome.SUSPENDED)).isNotEqualTo(name);
    ContrastiveTrainingRun namesake = Fixtures.run("simclr", "team-a");
    namesake.getMetadata().setUid("uid-other");
    assertThat(PhaseEvents.name(namesake, Outcome.WORKER_FAILED)).as("a new run of the same name").isNotEqualTo(name);
  }

  @Test
  void aLongRunNameStillGivesAValidName() {
    run.getMetadata().setName("r".repeat(253));

    assertThat(PhaseEvents.name(run, Outcome.INVALID_SPEC)).hasSize(253);
  }

  @Test
  void aRepeatCountsOneMoreAndTakesTheNewMessageAndTime() {
    Event first = PhaseEvents.event(run, Outcome.waiting(Outcome.WORKER_FAILED, "gang restart 1 of 3"), now);
    assertThat(first.getCount()).isEqualTo(1);
    assertThat(first.getFirstTimestamp()).isEqualTo("2026-12-02T10:00:00Z");

    var repeat = PhaseEvents.repeat(first, Outcome.waiting(Outcome.WORKER_FAILED, "gang restart 2 of 3"),
        now.plusSeconds(60));

    assertThat(repeat).containsEntry("count", 2).containsEntry("lastTimestamp", "2026-12-02T10:01:00Z")
        .containsEntry("message", "phase Pending: gang restart 2 of 3").containsEntry("type", "Warning")
        .doesNotContainKey("firstTimestamp");
  }
}
