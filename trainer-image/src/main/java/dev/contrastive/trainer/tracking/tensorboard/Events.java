package dev.contrastive.trainer.tracking.tensorboard;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * TensorFlow's {@code Event} and {@code Summary} messages (tensorflow/core/util/event.proto,
 * framework/summary.proto), encoded field by field with protobuf's CodedOutputStream: the few
 * fields TensorBoard needs for scalars, images and text, without TensorFlow's generated classes.
 */
public final class Events {

  // Event
  static final int WALL_TIME = 1;
  static final int STEP = 2;
  static final int FILE_VERSION = 3;
  static final int SUMMARY = 5;
  // Summary
  static final int SUMMARY_VALUE = 1;
  // Summary.Value
  static final int TAG = 1;
  static final int SIMPLE_VALUE = 2;
  static final int IMAGE = 4;
  static final int TENSOR = 8;
  static final int METADATA = 9;
  // Summary.Image
  static final int IMAGE_HEIGHT = 1;
  static final int IMAGE_WIDTH = 2;
  static final int IMAGE_COLORSPACE = 3;
  static final int IMAGE_ENCODED = 4;
  // SummaryMetadata and its PluginData
  static final int PLUGIN_DATA = 1;
  static final int PLUGIN_NAME = 1;
  // TensorProto
  static final int TENSOR_DTYPE = 1;
  static final int TENSOR_STRING_VAL = 8;
  static final int DT_STRING = 7;
  static final int RGB = 3;

  public static final String FILE_VERSION_2 = "brain.Event:2";

  private Events() {}

  /** The first event of every file: which format follows. */
  public static byte[] fileVersion(double wallTime) {
    return message(out -> {
      out.writeDouble(WALL_TIME, wallTime);
      out.writeString(FILE_VERSION, FILE_VERSION_2);
    });
  }

  public static byte[] scalar(double wallTime, long step, String tag, float value) {
    return summary(wallTime, step, message(v -> {
      v.writeString(TAG, tag);
      v.writeFloat(SIMPLE_VALUE, value);
    }));
  }

  /** An RGB PNG, as TensorBoard's Images tab shows it. */
  public static byte[] image(double wallTime, long step, String tag, byte[] png, int width, int height) {
    byte[] image = message(i -> {
      i.writeInt32(IMAGE_HEIGHT, height);
      i.writeInt32(IMAGE_WIDTH, width);
      i.writeInt32(IMAGE_COLORSPACE, RGB);
      i.writeBytes(IMAGE_ENCODED, ByteString.copyFrom(png));
    });
    return summary(wallTime, step, message(v -> {
      v.writeString(TAG, tag);
      v.writeByteArray(IMAGE, image);
    }));
  }

  /** Markdown for TensorBoard's Text tab: a string tensor tagged for the text plugin. */
  public static byte[] text(double wallTime, long step, String tag, String markdown) {
    byte[] metadata = message(m -> m.writeByteArray(PLUGIN_DATA, message(p -> p.writeString(PLUGIN_NAME, "text"))));
    byte[] tensor = message(t -> {
      t.writeEnum(TENSOR_DTYPE, DT_STRING);
      t.writeBytes(TENSOR_STRING_VAL, ByteString.copyFrom(markdown, StandardCharsets.UTF_8));
    });
    return summary(wallTime, step, message(v -> {
      v.writeString(TAG, tag);
      v.writeByteArray(TENSOR, tensor);
      v.writeByteArray(METADATA, metadata);
    }));
  }

  private static byte[] summary(double wallTime, long step, byte[] value) {
    return message(out -> {
      out.writeDouble(WALL_TIME, wallTime);
      out.writeInt64(STEP, step);
      out.writeByteArray(SUMMARY, message(s -> s.writeByteArray(SUMMARY_VALUE, value)));
    });
  }

  private interface Fields {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Fields fields) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      fields.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
  }
}
