package dev.contrastive.trainer.report;

import dev.contrastive.api.status.ProgressStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Sends progress to a {@link StatusWriter} at most once per interval (plus forced writes at epoch
 * ends and the finish). A failed write never stops training: it is logged once, and retried
 * later with exponential back-off (up to ten intervals); success resets the back-off.
 */
public final class ProgressReporter {

  private final StatusWriter writer;
  private final Duration interval;
  private final Clock clock;
  private final Consumer<String> log;

  private Instant nextWriteAt = Instant.MIN;
  private int consecutiveFailures;

  public ProgressReporter(StatusWriter writer, Duration interval, Clock clock, Consumer<String> log) {
    this.writer = writer;
    this.interval = interval;
    this.clock = clock;
    this.log = log;
  }

  /** Writes if the interval has passed since the last attempt. Returns whether it wrote. */
  public boolean maybeReport(ProgressStatus progress) {
    if (clock.instant().isBefore(nextWriteAt)) {
      return false;
    }
    return report(progress);
  }

  /** Writes now (epoch end, finish), unless a back-off after failures is still running. */
  public boolean report(ProgressStatus progress) {
    Instant now = clock.instant();
    if (consecutiveFailures > 0 && now.isBefore(nextWriteAt)) {
      return false;
    }
    progress.updatedAt = now.toString();
    try {
      writer.write(progress);
      if (consecutiveFailures > 0) {
        log.accept("status write recovered after " + consecutiveFailures + " failed attempt(s)");
      }
      consecutiveFailures = 0;
      nextWriteAt = now.plus(interval);
      return true;
    } catch (Exception e) {
      if (consecutiveFailures == 0) {
        log.accept("cannot write run status (training goes on, will retry): " + oneLine(e));
      }
      consecutiveFailures++;
      long factor = 1L << Math.min(consecutiveFailures - 1, 3);
      nextWriteAt = now.plus(interval.multipliedBy(Math.min(factor, 10)));
      return false;
    }
  }

  /** Records a Warning Event once; a failure is logged in one line and never retried nor fatal. */
  public void warn(String reason, String message) {
    try {
      writer.warn(reason, message);
    } catch (Exception e) {
      log.accept("cannot record the " + reason + " Event on the run (training goes on): " + oneLine(e));
    }
  }

  private static String oneLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
