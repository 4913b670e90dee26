package dev.contrastive.trainer.tracking;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a backend on a daemon thread of its own behind a bounded queue, so that a tracking server
 * that is slow, down or hanging never stops or slows training: a call that finds the queue full is
 * dropped (its points counted in {@code contrastive_tracking_dropped_points_total}, reported
 * once), a call that fails is counted and reported once, and the next call is tried all the same.
 */
final class BackendQueue {

  private static final Logger LOG = LoggerFactory.getLogger(BackendQueue.class);

  /** A call of the backend, and how many data points it carries (for the drop count). */
  interface Call {
    void run(TrackingBackend backend) throws Exception;
  }

  private record Item(Call call, int points) {}

  private final TrackingBackend backend;
  private final BlockingQueue<Item> queue;
  private final Counter dropped;
  private final Counter failed;
  private final AtomicBoolean dropReported = new AtomicBoolean();
  private final AtomicBoolean failureReported = new AtomicBoolean();
  private final Thread worker;
  private volatile boolean closing;
  private volatile String lastFailure;

  BackendQueue(TrackingBackend backend, int capacity, MeterRegistry registry) {
    this.backend = backend;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.dropped = Counter.builder("contrastive.tracking.dropped.points")
        .description("points not sent to a tracking backend because its queue was full")
        .tag("backend", backend.name()).register(registry);
    this.failed = Counter.builder("contrastive.tracking.errors")
        .description("calls to a tracking backend that failed").tag("backend", backend.name()).register(registry);
    this.worker = new Thread(this::work, "tracking-" + backend.name());
    worker.setDaemon(true);
    worker.start();
  }

  String name() {
    return backend.name();
  }

  /** Queues a call without waiting; drops it when the queue is full. */
  void submit(int points, Call call) {
    if (closing || !queue.offer(new Item(call, points))) {
      dropped.increment(points);
      if (dropReported.compareAndSet(false, true)) {
        LOG.warn("tracking: {} is behind (queue of {} full); dropping points until it catches up "
            + "(counted in contrastive_tracking_dropped_points_total; reported once)", backend.name(), queue.size());
      }
    }
  }

  /**
   * Lets the queued calls finish within {@code timeout}, then closes the backend (which ends a
   * call that hangs). Returns whether every queued call ran.
   */
  boolean finish(Duration timeout) {
    closing = true;
    try {
      worker.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    boolean drained = !worker.isAlive();
    if (!drained) {
      LOG.warn("tracking: {} did not take the run's last {} calls within {} s; giving up on them",
          backend.name(), queue.size() + 1, timeout.toSeconds());
      worker.interrupt();
    }
    backend.close();
    if (failed.count() > 0) {
      LOG.warn("tracking: {} calls to {} failed in this run; the last: {}", (long) failed.count(), backend.name(),
          lastFailure);
    }
    return drained;
  }

  private void work() {
    while (true) {
      Item item;
      try {
        item = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (item == null) {
        if (closing) {
          return;
        }
        continue;
      }
      try {
        item.call().run(backend);
      } catch (InterruptedException e) {
        return;
      } catch (Exception | LinkageError e) {
        failed.increment();
        lastFailure = oneLine(e);
        if (failureReported.compareAndSet(false, true)) {
          LOG.warn("tracking: {} failed, training goes on (reported once, counted in "
              + "contrastive_tracking_errors_total): {}", backend.name(), lastFailure);
        }
      }
    }
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
