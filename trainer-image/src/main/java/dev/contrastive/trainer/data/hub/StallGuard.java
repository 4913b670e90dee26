package dev.contrastive.trainer.data.hub;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a download's stream when no data arrived for a while, so that a connection that hangs
 * without breaking fails (and is resumed) instead of blocking the worker forever.
 */
final class StallGuard implements Closeable {

  private static final ScheduledExecutorService WATCH = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "hub-download-watch");
    thread.setDaemon(true);
    return thread;
  });

  private final Closeable stream;
  private final long timeoutNanos;
  private final ScheduledFuture<?> check;
  private volatile long lastProgress = System.nanoTime();
  private volatile boolean stalled;

  StallGuard(Closeable stream, Duration timeout) {
    this.stream = stream;
    this.timeoutNanos = timeout.toNanos();
    long period = Math.max(10, timeout.toMillis() / 4);
    this.check = WATCH.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  void progressed() {
    lastProgress = System.nanoTime();
  }

  boolean stalled() {
    return stalled;
  }

  private void check() {
    if (!stalled && System.nanoTime() - lastProgress > timeoutNanos) {
      stalled = true;
      try {
        stream.close(); // the blocked read fails with an IOException
      } catch (IOException e) {
        // closing is all that was wanted
      }
    }
  }

  @Override
  public void close() {
    check.cancel(false);
  }
}
