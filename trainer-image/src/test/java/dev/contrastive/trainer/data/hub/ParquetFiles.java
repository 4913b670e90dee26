package dev.contrastive.trainer.data.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlift.compress.snappy.SnappyCompressor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Writes Parquet shards as the {@code datasets} library writes an image data set: an {@code image}
 * struct of {@code bytes} and {@code path}, an int64 {@code label}, Snappy pages, several row
 * groups, and the library's {@code huggingface} metadata naming the classes.
 */
final class ParquetFiles {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One row: encoded image bytes and a label. */
  record Row(byte[] image, long label) {}

  private ParquetFiles() {}

  static void write(Path file, List<Row> rows, List<String> classNames) {
    write(file, rows, classNames, "image", "label");
  }

  static void write(Path file, List<Row> rows, List<String> classNames, String imageColumn, String labelColumn) {
    MessageType schema = MessageTypeParser.parseMessageType("message schema { optional group " + imageColumn
        + " { optional binary bytes; optional binary path (STRING); } optional int64 " + labelColumn + "; }");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.deleteIfExists(file);
      try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
          .withConf(new PlainParquetConfiguration())
          .withType(schema)
          .withCodecFactory(new SnappyWriting())
          .withCompressionCodec(CompressionCodecName.SNAPPY)
          .withRowGroupSize(64 * 1024L) // several row groups, as large files have
          .withExtraMetaData(Map.of("huggingface", metadata(imageColumn, labelColumn, classNames)))
          .build()) {
        SimpleGroupFactory groups = new SimpleGroupFactory(schema);
        for (int i = 0; i < rows.size(); i++) {
          Group row = groups.newGroup();
          Group image = row.addGroup(imageColumn);
          image.add("bytes", Binary.fromConstantByteArray(rows.get(i).image()));
          image.add("path", "row" + i + ".png");
          row.add(labelColumn, rows.get(i).label());
          writer.write(row);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A PNG of (C, H, W) unsigned bytes. */
  static byte[] png(byte[] chw, int offset, int size) {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    int plane = size * size;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int p = offset + y * size + x;
        image.setRGB(x, y, (chw[p] & 0xFF) << 16 | (chw[p + plane] & 0xFF) << 8 | (chw[p + 2 * plane] & 0xFF));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * A shard of {@code count} 16 px images of noise (labels {@code i % 3} from {@code first}), tens of
   * kilobytes, as noise compresses badly: big enough for downloads that take a while.
   */
  static byte[] noiseShard(Path file, int first, int count, List<String> classNames) throws IOException {
    List<Row> rows = new java.util.ArrayList<>();
    for (int i = first; i < first + count; i++) {
      byte[] chw = new byte[3 * 16 * 16];
      new java.util.Random(i).nextBytes(chw);
      rows.add(new Row(png(chw, 0, 16), i % 3));
    }
    write(file, rows, classNames);
    return Files.readAllBytes(file);
  }

  /** A PNG of one colour: (r, g, b) = (value, 255 - value, 7). */
  static byte[] solid(int value, int size) {
    byte[] chw = new byte[3 * size * size];
    Arrays.fill(chw, 0, size * size, (byte) value);
    Arrays.fill(chw, size * size, 2 * size * size, (byte) (255 - value));
    Arrays.fill(chw, 2 * size * size, 3 * size * size, (byte) 7);
    return png(chw, 0, size);
  }

  private static String metadata(String imageColumn, String labelColumn, List<String> classNames) {
    ObjectNode features = JSON.createObjectNode();
    features.putObject(imageColumn).put("_type", "Image");
    ObjectNode label = features.putObject(labelColumn);
    label.put("_type", "ClassLabel");
    classNames.forEach(label.putArray("names")::add);
    ObjectNode root = JSON.createObjectNode();
    root.putObject("info").set("features", features);
    return root.toString();
  }

  /** Snappy for writing (the trainer's {@link ParquetCodecs} only reads). */
  private static final class SnappyWriting implements CompressionCodecFactory {
    private final ParquetCodecs reading = new ParquetCodecs();

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
      return new BytesInputCompressor() {
        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
          byte[] in = bytes.toByteArray();
          SnappyCompressor snappy = new SnappyCompressor();
          byte[] out = new byte[snappy.maxCompressedLength(in.length)];
          int length = snappy.compress(in, 0, in.length, out, 0, out.length);
          return BytesInput.from(Arrays.copyOf(out, length));
        }

        @Override
        public CompressionCodecName getCodecName() {
          return CompressionCodecName.SNAPPY;
        }

        @Override
        public void release() {}
      };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
      return reading.getDecompressor(codec);
    }

    @Override
    public void release() {}
  }
}
