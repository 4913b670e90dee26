package dev.contrastive.trainer.tracking.tensorboard;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an event file back as TensorBoard does: checks both CRCs of every record and decodes the
 * Event and Summary fields by their numbers in TensorFlow's .proto files (not by our writer's code).
 */
public final class EventFileReader {

  /** One summary value: a scalar, an image or a text. */
  public record Value(String tag, Float simpleValue, byte[] png, int width, int height, String text) {}

  public record Event(double wallTime, long step, String fileVersion, List<Value> values) {}

  private EventFileReader() {}

  public static List<Event> read(Path file) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    List<Event> events = new ArrayList<>();
    while (in.hasRemaining()) {
      byte[] length = new byte[8];
      in.get(length);
      check(TfRecords.maskedCrc(length, 0, 8), in.getInt(), "length");
      byte[] data = new byte[Math.toIntExact(ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong())];
      in.get(data);
      check(TfRecords.maskedCrc(data, 0, data.length), in.getInt(), "data");
      events.add(event(data));
    }
    return events;
  }

  private static void check(int computed, int stored, String what) throws IOException {
    if (computed != stored) {
      throw new IOException("bad " + what + " CRC: stored " + stored + ", computed " + computed);
    }
  }

  private static Event event(byte[] data) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(data);
    double wallTime = 0;
    long step = 0;
    String version = null;
    List<Value> values = new ArrayList<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag >>> 3) {
        case 1 -> wallTime = in.readDouble();
        case 2 -> step = in.readInt64();
        case 3 -> version = in.readString();
        case 5 -> {
          CodedInputStream summary = CodedInputStream.newInstance(in.readByteArray());
          for (int t = summary.readTag(); t != 0; t = summary.readTag()) {
            if (t >>> 3 == 1) {
              values.add(value(summary.readByteArray()));
            } else {
              summary.skipField(t);
            }
          }
        }
        default -> in.skipField(tag);
      }
    }
    return new Event(wallTime, step, version, values);
  }

  private static Value value(byte[] data) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(data);
    String name = null;
    Float simple = null;
    byte[] png = null;
    int width = 0;
    int height = 0;
    String text = null;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag >>> 3) {
        case 1 -> name = in.readString();
        case 2 -> simple = in.readFloat();
        case 4 -> {
          CodedInputStream image = CodedInputStream.newInstance(in.readByteArray());
          for (int t = image.readTag(); t != 0; t = image.readTag()) {
            switch (t >>> 3) {
              case 1 -> height = image.readInt32();
              case 2 -> width = image.readInt32();
              case 4 -> png = image.readByteArray();
              default -> image.skipField(t);
            }
          }
        }
        case 8 -> {
          CodedInputStream tensor = CodedInputStream.newInstance(in.readByteArray());
          for (int t = tensor.readTag(); t != 0; t = tensor.readTag()) {
            if (t >>> 3 == 8) {
              text = new String(tensor.readByteArray(), StandardCharsets.UTF_8);
            } else {
              tensor.skipField(t);
            }
          }
        }
        default -> in.skipField(tag);
      }
    }
    return new Value(name, simple, png, width, height, text);
  }
}
