package dev.contrastive.trainer.report;

import dev.contrastive.api.status.ProgressStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Lines about what the trainer does before its first step (a Hub data set's download), each to the
 * log and, at most once per status interval, into {@code status.progress.message}, so that {@code
 * kubectl get ctrun} shows why a run has not started training. Only rank 0 gets a real writer.
 */
public final class StatusMessages implements Consumer<String> {

  private final ProgressReporter reporter;
  private final Consumer<String> log;

  public StatusMessages(StatusWriter writer, Duration interval, Clock clock, Consumer<String> log) {
    this.reporter = new ProgressReporter(writer, interval, clock, log);
    this.log = log;
  }

  @Override
  public void accept(String line) {
    log.accept(line);
    ProgressStatus status = new ProgressStatus();
    status.message = line.length() > ProgressStatus.MESSAGE_MAX_LENGTH
        ? line.substring(0, ProgressStatus.MESSAGE_MAX_LENGTH) : line;
    reporter.maybeReport(status);
  }
}
