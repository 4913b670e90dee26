package dev.contrastive.trainer.data.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.contrastive.trainer.data.DataException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * One Parquet file of a Hub data set, read with parquet-hadoop one column at a time: the image
 * column (the {@code datasets} library's Image feature, a struct of {@code bytes} and {@code path},
 * or plain binary) and the integer label column. Only the columns asked for are read from disk.
 */
final class ParquetShard {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final String imageColumn;
  private final String labelColumn;

  ParquetShard(Path file, String imageColumn, String labelColumn) {
    this.file = file;
    this.imageColumn = imageColumn;
    this.labelColumn = labelColumn;
  }

  Path file() {
    return file;
  }

  /** The file's labels, after checking that both columns exist and have usable types. */
  int[] labels() {
    try (ParquetFileReader reader = open()) {
      MessageType schema = reader.getFileMetaData().getSchema();
      imageType(schema);
      Type label = column(schema, labelColumn, "dataset.labelColumn");
      if (!label.isPrimitive() || !isInteger(label.asPrimitiveType().getPrimitiveTypeName())) {
        throw new DataException(file + ": dataset.labelColumn '" + labelColumn + "' holds " + label
            + ", expected integer class labels");
      }
      long rows = reader.getRecordCount();
      if (rows > Integer.MAX_VALUE) {
        throw new DataException(file + ": " + rows + " rows is more than one shard may hold here");
      }
      int[] labels = new int[(int) rows];
      MessageType projection = new MessageType("labels", label);
      reader.setRequestedSchema(projection);
      int row = 0;
      PageReadStore pages;
      while ((pages = reader.readNextRowGroup()) != null) {
        RecordReader<Group> records = records(reader, projection, pages);
        for (long i = 0; i < pages.getRowCount(); i++, row++) {
          Group record = records.read();
          if (record.getFieldRepetitionCount(labelColumn) == 0) {
            throw new DataException(file + ": row " + row + " has no " + labelColumn + " (dataset.labelColumn)");
          }
          long value = label.asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.INT64
              ? record.getLong(labelColumn, 0) : record.getInteger(labelColumn, 0);
          labels[row] = (int) Math.max(Math.min(value, Integer.MAX_VALUE), -1);
        }
      }
      return labels;
    } catch (IOException e) {
      throw new DataException(file + ": cannot read Parquet (" + e.getMessage() + ")", e);
    }
  }

  /** The class names the {@code datasets} library stored with the file (ClassLabel), or null. */
  List<String> classNames() {
    try (ParquetFileReader reader = open()) {
      String metadata = reader.getFileMetaData().getKeyValueMetaData().get("huggingface");
      if (metadata == null) {
        return null;
      }
      JsonNode names = JSON.readTree(metadata).path("info").path("features").path(labelColumn).path("names");
      if (!names.isArray() || names.isEmpty()) {
        return null;
      }
      List<String> classes = new ArrayList<>();
      names.forEach(n -> classes.add(n.asText()));
      return classes;
    } catch (IOException e) {
      throw new DataException(file + ": cannot read Parquet metadata (" + e.getMessage() + ")", e);
    }
  }

  /** The encoded images of every row, in row order: the whole shard in memory. */
  byte[][] images() {
    try (ParquetFileReader reader = open()) {
      MessageType schema = reader.getFileMetaData().getSchema();
      Type image = imageType(schema);
      boolean struct = !image.isPrimitive();
      MessageType projection = new MessageType("images", struct
          ? new GroupType(image.getRepetition(), imageColumn, image.asGroupType().getType("bytes"))
          : image);
      reader.setRequestedSchema(projection);
      byte[][] images = new byte[Math.toIntExact(reader.getRecordCount())][];
      int row = 0;
      PageReadStore pages;
      while ((pages = reader.readNextRowGroup()) != null) {
        RecordReader<Group> records = records(reader, projection, pages);
        for (long i = 0; i < pages.getRowCount(); i++, row++) {
          Group record = records.read();
          Group holder = struct && record.getFieldRepetitionCount(imageColumn) > 0
              ? record.getGroup(imageColumn, 0) : record;
          String field = struct ? "bytes" : imageColumn;
          if ((struct && holder == record) || holder.getFieldRepetitionCount(field) == 0) {
            throw new DataException(file + ": row " + row + " has no image bytes in " + imageColumn
                + " (an image given only by path is not supported)");
          }
          images[row] = holder.getBinary(field, 0).getBytes();
        }
      }
      return images;
    } catch (IOException e) {
      throw new DataException(file + ": cannot read Parquet (" + e.getMessage() + ")", e);
    }
  }

  private Type imageType(MessageType schema) {
    Type image = column(schema, imageColumn, "dataset.imageColumn");
    boolean binary = image.isPrimitive() && image.asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.BINARY;
    boolean struct = !image.isPrimitive() && image.asGroupType().containsField("bytes")
        && image.asGroupType().getType("bytes").isPrimitive()
        && image.asGroupType().getType("bytes").asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.BINARY;
    if (!binary && !struct) {
      throw new DataException(file + ": dataset.imageColumn '" + imageColumn + "' holds " + image
          + ", expected encoded images (a struct with binary bytes, or binary)");
    }
    return image;
  }

  private Type column(MessageType schema, String name, String setting) {
    if (!schema.containsField(name)) {
      List<String> columns = schema.getFields().stream().map(Type::getName).toList();
      throw new DataException(file + ": " + setting + " '" + name + "' is not a column; columns: "
          + String.join(", ", columns));
    }
    return schema.getType(name);
  }

  private static boolean isInteger(PrimitiveTypeName type) {
    return type == PrimitiveTypeName.INT32 || type == PrimitiveTypeName.INT64;
  }

  private ParquetFileReader open() throws IOException {
    ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration())
        .withCodecFactory(new ParquetCodecs())
        .build();
    return new ParquetFileReader(new LocalInputFile(file), options);
  }

  private static RecordReader<Group> records(ParquetFileReader reader, MessageType projection, PageReadStore pages) {
    MessageType fileSchema = reader.getFileMetaData().getSchema();
    return new ColumnIOFactory().getColumnIO(projection, fileSchema)
        .getRecordReader(pages, new GroupRecordConverter(projection));
  }
}
