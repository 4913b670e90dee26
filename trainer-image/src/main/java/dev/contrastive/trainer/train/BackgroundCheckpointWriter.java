package dev.contrastive.trainer.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes checkpoints on a thread of its own. The training thread takes a {@link
 * CheckpointSnapshot} (a memory copy) and goes on to the next collective while the volume takes
 * its time: a slow disk delays the checkpoint, never the gang. At most one write runs and one
 * waits; a newer snapshot replaces a waiting one (latest wins). A failed write (a full disk) fails
 * the run at the training thread's next call.
 */
final class BackgroundCheckpointWriter implements AutoCloseable {

  private final CheckpointStore store;
  private final Consumer<String> log;
  private final Thread thread;
  private CheckpointSnapshot waiting;
  private boolean writing;
  private boolean closing;
  private final List<Written> done = new ArrayList<>();
  private Path lastWritten;
  private RuntimeException failure;

  /** A checkpoint that reached the volume. */
  record Written(long step, Path dir) {}

  BackgroundCheckpointWriter(CheckpointStore store, Consumer<String> log) {
    this.store = store;
    this.log = log;
    this.thread = new Thread(this::writeLoop, "checkpoint-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code snapshot}; returns at once. Throws if an earlier write failed. */
  synchronized void submit(CheckpointSnapshot snapshot) {
    throwIfFailed();
    if (waiting != null) {
      log.accept("checkpoint " + waiting.name() + " skipped: the volume is still writing the one before it,"
          + " and " + snapshot.name() + " is newer");
    }
    waiting = snapshot;
    notifyAll();
  }

  /** Checkpoints written since the last call, oldest first. Throws if a write failed. */
  synchronized List<Written> drain() {
    throwIfFailed();
    List<Written> written = List.copyOf(done);
    done.clear();
    return written;
  }

  /**
   * Waits until every submitted checkpoint is on the volume (the end of a run, when no rank waits
   * on this one any more) and returns the newest written, or null if none was.
   */
  synchronized Path finish() {
    while (waiting != null || writing) {
      throwIfFailed();
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while the last checkpoint was being written", e);
      }
    }
    throwIfFailed();
    return lastWritten;
  }

  private void throwIfFailed() {
    if (failure != null) {
      throw failure;
    }
  }

  private void writeLoop() {
    while (true) {
      CheckpointSnapshot next;
      synchronized (this) {
        while (waiting == null && !closing) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (waiting == null || failure != null) {
          return;
        }
        next = waiting;
        waiting = null;
        writing = true;
      }
      Path dir = null;
      RuntimeException failed = null;
      try {
        dir = store.write(next);
      } catch (CheckpointStore.CheckpointVolumeFullException e) {
        failed = new UncheckedIOException(e.getMessage(), e);
      } catch (IOException e) {
        failed = new UncheckedIOException(store.root() + ": cannot write checkpoint " + next.name() + ": "
            + e.getMessage(), e);
      } catch (RuntimeException e) {
        failed = e;
      }
      synchronized (this) {
        writing = false;
        if (failed != null) {
          failure = failed;
          waiting = null;
        } else {
          done.add(new Written(next.state().step(), dir));
          lastWritten = dir;
        }
        notifyAll();
      }
    }
  }

  /** Stops the thread after the write in progress; does not wait for it. */
  @Override
  public synchronized void close() {
    closing = true;
    waiting = null;
    notifyAll();
  }
}
