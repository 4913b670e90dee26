package dev.contrastive.trainer.data.hub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One downloader per cache at a time: an exclusive lock on a file in the repository's cache folder
 * (between processes: the processes of a node, and the nodes sharing a ReadWriteMany volume where
 * its file system honours locks), plus a lock per file within this JVM (which file locks do not
 * cover). The others wait, being told every poll, then find the files there.
 */
final class DownloadLock implements AutoCloseable {

  private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

  private final ReentrantLock local;
  private final FileChannel channel;
  private final FileLock lock;

  private DownloadLock(ReentrantLock local, FileChannel channel, FileLock lock) {
    this.local = local;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock, calling {@code whileWaiting} every {@code poll} until it has it.
   *
   * @throws IOException when the lock file cannot be opened
   */
  static DownloadLock acquire(Path file, Duration poll, Runnable whileWaiting) throws IOException {
    Files.createDirectories(file.getParent());
    ReentrantLock local = IN_PROCESS.computeIfAbsent(file.toAbsolutePath().normalize(), f -> new ReentrantLock());
    try {
      while (!local.tryLock(poll.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        whileWaiting.run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + file, e);
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      while (true) {
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null;
        }
        if (lock != null) {
          return new DownloadLock(local, channel, lock);
        }
        whileWaiting.run();
        Thread.sleep(poll.toMillis());
      }
    } catch (IOException | RuntimeException e) {
      close(channel);
      local.unlock();
      throw e;
    } catch (InterruptedException e) {
      close(channel);
      local.unlock();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + file, e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
      channel.close();
    } finally {
      local.unlock();
    }
  }

  private static void close(FileChannel channel) {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      // the lock was not taken; nothing to undo
    }
  }
}
