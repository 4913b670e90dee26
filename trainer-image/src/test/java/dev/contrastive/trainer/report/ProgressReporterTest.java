package dev.contrastive.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.status.ProgressStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {

  final MutableClock clock = new MutableClock();
  final List<ProgressStatus> written = new ArrayList<>();
  final List<String> logs = new ArrayList<>();
  boolean failing;

  final StatusWriter writer =
      progress -> {
        if (failing) {
          throw new IllegalStateException("connection refused\n  at some.Frame");
        }
        written.add(progress);
      };

  final ProgressReporter reporter =
      new ProgressReporter(writer, Duration.ofSeconds(10), clock, logs::add);

  @Test
  void writesAtMostOncePerInterval() {
    assertThat(reporter.maybeReport(new ProgressStatus())).isTrue();
    clock.advance(Duration.ofSeconds(9));
    assertThat(reporter.maybeReport(new ProgressStatus())).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(reporter.maybeReport(new ProgressStatus())).isTrue();
    assertThat(written).hasSize(2);
  }

  @Test
  void forcedReportIgnoresTheInterval() {
    reporter.maybeReport(new ProgressStatus());
    assertThat(reporter.report(new ProgressStatus())).isTrue();
    assertThat(written).hasSize(2);
  }

  @Test
  void aWarningEventThatCannotBeWrittenIsLoggedOnOneLineAndTrainingGoesOn() {
    StatusWriter refusing = new StatusWriter() {
      @Override
      public void write(ProgressStatus progress) {}

      @Override
      public void warn(String reason, String message) {
        throw new IllegalStateException("events is forbidden: User cannot create resource\n  at some.Frame");
      }
    };

    new ProgressReporter(refusing, Duration.ofSeconds(10), clock, logs::add).warn("CheckpointSkipped", "ckpt-e00002");

    assertThat(logs).containsExactly("cannot record the CheckpointSkipped Event on the run (training goes on): "
        + "events is forbidden: User cannot create resource");
  }

  @Test
  void stampsUpdatedAt() {
    ProgressStatus progress = new ProgressStatus();
    reporter.report(progress);
    assertThat(progress.updatedAt).isEqualTo(clock.instant().toString());
  }

  @Test
  void failuresAreLoggedOnceOnOneLineAndRetriedWithBackOff() {
    failing = true;
    assertThat(reporter.report(new ProgressStatus())).isFalse();
    clock.advance(Duration.ofSeconds(10));
    assertThat(reporter.maybeReport(new ProgressStatus())).isFalse(); // second failure
    clock.advance(Duration.ofSeconds(10));
    assertThat(reporter.maybeReport(new ProgressStatus())).as("backing off").isFalse();
    assertThat(logs).hasSize(1);
    assertThat(logs.get(0)).contains("connection refused").doesNotContain("\n");

    failing = false;
    clock.advance(Duration.ofSeconds(60));
    assertThat(reporter.maybeReport(new ProgressStatus())).isTrue();
    assertThat(logs).last().asString().contains("recovered");
  }

  static final class MutableClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
