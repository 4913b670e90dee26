package dev.contrastive.trainer.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.contrastive.api.status.ProgressStatus;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * Runs a {@link ProgressReporter} on a thread of its own, so a slow or hung API server never holds
 * the training thread (and with it every rank waiting in the next collective). The training thread
 * only hands over a copy of the progress; when a write is still in flight, newer progress replaces
 * the waiting one (latest wins), so at most one write runs and one waits. Warning Events go out on
 * the same thread, each once, before the next progress.
 */
public final class BackgroundProgressReporter implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ProgressReporter reporter;
  private final Duration closeTimeout;
  private final Consumer<String> log;
  private final Thread thread;

  private record Warning(String reason, String message) {}

  private final Deque<Warning> warnings = new ArrayDeque<>();
  private ProgressStatus waiting;
  private boolean waitingForced;
  private boolean writing;
  private boolean closing;

  /**
   * @param closeTimeout how long {@link #close} waits for the last write before leaving it behind
   */
  public BackgroundProgressReporter(ProgressReporter reporter, Duration closeTimeout, Consumer<String> log) {
    this.reporter = reporter;
    this.closeTimeout = closeTimeout;
    this.log = log;
    this.thread = new Thread(this::writeLoop, "status-writer");
    thread.setDaemon(true); // a write stuck on a dead API server must not keep the process alive
    thread.start();
  }

  /** Writes once the report interval has passed (see {@link ProgressReporter#maybeReport}); never blocks. */
  public void maybeReport(ProgressStatus progress) {
    hand(progress, false);
  }

  /** Writes as soon as the writer is free (epoch ends, the finish); never blocks. */
  public void report(ProgressStatus progress) {
    hand(progress, true);
  }

  /** Records a Warning Event on the run (see {@link ProgressReporter#warn}); never blocks. */
  public synchronized void warn(String reason, String message) {
    if (closing) {
      return;
    }
    warnings.add(new Warning(reason, message));
    notifyAll();
  }

  private synchronized void hand(ProgressStatus progress, boolean forced) {
    if (closing) {
      return;
    }
    waitingForced = forced || (waiting != null && waitingForced);
    waiting = JSON.convertValue(progress, ProgressStatus.class);
    notifyAll();
  }

  private void writeLoop() {
    while (true) {
      ProgressStatus next;
      boolean forced;
      Warning warning;
      synchronized (this) {
        while (waiting == null && warnings.isEmpty() && !closing) {
          waitForWork();
        }
        if (waiting == null && warnings.isEmpty()) {
          return;
        }
        warning = warnings.poll();
        next = warning == null ? waiting : null;
        forced = waitingForced;
        if (warning == null) {
          waiting = null;
        }
        writing = true;
      }
      try {
        if (warning != null) {
          reporter.warn(warning.reason(), warning.message());
        } else if (forced) {
          reporter.report(next);
        } else {
          reporter.maybeReport(next);
        }
      } finally {
        synchronized (this) {
          writing = false;
          notifyAll();
        }
      }
    }
  }

  /**
   * Lets the waiting write (the final progress) go out, for at most the close timeout; a write
   * still hanging then is left to its daemon thread and said so.
   */
  @Override
  public synchronized void close() {
    closing = true;
    notifyAll();
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    while (waiting != null || !warnings.isEmpty() || writing) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        long millis = closeTimeout.toMillis();
        log.accept("the run's status was not written within "
            + (millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms")
            + " (API server slow or unreachable); leaving the last progress report behind");
        return;
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void waitForWork() {
    try {
      wait();
    } catch (InterruptedException e) {
      closing = true; // only this class's own thread waits here; nobody else interrupts it
    }
  }
}
