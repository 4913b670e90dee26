package dev.contrastive.trainer.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The file operations a checkpoint write needs, each durable when it returns. One seam, so tests
 * can stand in a slow or a full disk.
 */
interface CheckpointVolume {

  /** Creates {@code file} with {@code bytes} and fsyncs it. */
  void writeFile(Path file, byte[] bytes) throws IOException;

  /** Fsyncs a folder, so the names (files created, a folder renamed) in it survive a crash. */
  void syncFolder(Path folder) throws IOException;

  /** Bytes a write to {@code folder} may still use. */
  long usableBytes(Path folder) throws IOException;

  /** The real file system. */
  CheckpointVolume LOCAL = new CheckpointVolume() {

    @Override
    public void writeFile(Path file, byte[] bytes) throws IOException {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
    }

    @Override
    public void syncFolder(Path folder) throws IOException {
      // Linux fsyncs a directory through a read-only descriptor; Java has no other way to ask.
      try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
        channel.force(true);
      }
    }

    @Override
    public long usableBytes(Path folder) throws IOException {
      return Files.getFileStore(folder).getUsableSpace();
    }
  };
}
