package dev.contrastive.trainer.tracking.tensorboard;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One TensorBoard event file, {@code events.out.tfevents.<seconds>.<host>} in a run's folder, as
 * TensorFlow names it; a resumed run adds a new file beside the old ones and TensorBoard reads them
 * together. Each event is flushed, so TensorBoard shows it while the run trains.
 */
public final class EventFileWriter implements AutoCloseable {

  private final Path file;
  private final OutputStream out;

  private EventFileWriter(Path file, OutputStream out) {
    this.file = file;
    this.out = out;
  }

  public static EventFileWriter create(Path folder, long nowMillis) throws IOException {
    Files.createDirectories(folder);
    String name = "events.out.tfevents." + nowMillis / 1000 + "." + host();
    Path file = folder.resolve(name);
    for (int i = 1; Files.exists(file); i++) {
      file = folder.resolve(name + "." + i); // two starts within a second
    }
    EventFileWriter writer = new EventFileWriter(file,
        new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)));
    writer.write(Events.fileVersion(nowMillis / 1000.0));
    return writer;
  }

  public Path file() {
    return file;
  }

  /** Appends one encoded Event (see {@link Events}). */
  public synchronized void write(byte[] event) throws IOException {
    TfRecords.write(out, event);
    out.flush();
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
