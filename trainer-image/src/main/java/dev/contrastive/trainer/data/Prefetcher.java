package dev.contrastive.trainer.data;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Produces items {@code 0 .. count-1} on background threads, at most {@code depth} ahead of the
 * consumer, and hands them out in order. An exception thrown while producing item i is rethrown
 * by the {@link #next()} that would have returned it. {@link #close()} waits for the threads to
 * finish and closes items that were made but not handed out; always close it
 * (try-with-resources).
 */
public final class Prefetcher<T extends AutoCloseable> implements Iterator<T>, AutoCloseable {

  private static final AtomicInteger POOLS = new AtomicInteger();

  private final IntFunction<T> producer;
  private final int count;
  private final ExecutorService pool;
  private final ArrayDeque<Future<T>> ahead = new ArrayDeque<>();
  private volatile boolean closed;
  private int submitted;
  private long lastWaitNanos;

  /**
   * @param producer makes item i; called from the background threads
   * @param threads background threads (>= 1)
   * @param depth items made ahead of the consumer (>= 1), which bounds memory
   */
  public Prefetcher(int count, IntFunction<T> producer, int threads, int depth) {
    if (threads < 1 || depth < 1 || count < 0) {
      throw new IllegalArgumentException("need count >= 0, threads >= 1, depth >= 1");
    }
    this.producer = producer;
    this.count = count;
    this.pool = Executors.newFixedThreadPool(threads, namedDaemons());
    while (submitted < count && ahead.size() < depth) {
      submitNext();
    }
  }

  @Override
  public boolean hasNext() {
    return !ahead.isEmpty();
  }

  /**
   * Waits for the next item.
   *
   * @throws RuntimeException what the producer threw for this item (e.g. {@link DataException})
   */
  @Override
  public T next() {
    if (closed) {
      throw new IllegalStateException("prefetcher is closed");
    }
    Future<T> head = ahead.poll();
    if (head == null) {
      throw new NoSuchElementException();
    }
    if (submitted < count) {
      submitNext();
    }
    long waitStart = System.nanoTime();
    try {
      return head.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a batch", e);
    } finally {
      lastWaitNanos = System.nanoTime() - waitStart;
    }
  }

  /**
   * How long the last {@link #next()} was blocked waiting for its item: near zero while the
   * background threads keep ahead of the consumer, the shortfall when they do not.
   */
  public long lastWaitNanos() {
    return lastWaitNanos;
  }

  /** Stops producing, waits for running work, closes items not handed out. */
  @Override
  public void close() {
    closed = true;
    // No interrupts: an interrupted file read would fail with an obscure error instead of stopping.
    pool.shutdown();
    try {
      while (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
        // Running items finish in bounded time; keep waiting so none is leaked.
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Future<T> future : ahead) {
      closeQuietly(future);
    }
    ahead.clear();
  }

  private void submitNext() {
    int index = submitted++;
    ahead.add(pool.submit(() -> closed ? null : producer.apply(index)));
  }

  private static <T extends AutoCloseable> void closeQuietly(Future<T> future) {
    try {
      T item = future.isDone() ? future.get() : null;
      if (item != null) {
        item.close();
      }
    } catch (Exception e) {
      // The item failed or cannot be closed; nothing more to release.
    }
  }

  private static ThreadFactory namedDaemons() {
    int pool = POOLS.incrementAndGet();
    AtomicInteger thread = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "batch-loader-" + pool + "-" + thread.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
