package dev.contrastive.trainer.data.hub;

import io.airlift.compress.Decompressor;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Page decompression for the Parquet reader in pure Java (aircompressor, the JDK's GZIP), so that
 * parquet-hadoop never loads Hadoop's codecs (which need Hadoop's whole runtime). Covers what
 * Parquet writers of Hub data sets use: uncompressed, Snappy (pyarrow's default), ZSTD, GZIP and
 * LZ4_RAW. Reading only.
 */
final class ParquetCodecs implements CompressionCodecFactory {

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    throw new UnsupportedOperationException("the trainer only reads Parquet");
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    return new PageDecompressor(codec);
  }

  @Override
  public void release() {}

  private static final class PageDecompressor implements BytesInputDecompressor {
    private final CompressionCodecName codec;

    PageDecompressor(CompressionCodecName codec) {
      this.codec = codec;
    }

    @Override
    public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
      if (codec == CompressionCodecName.UNCOMPRESSED) {
        return bytes;
      }
      return BytesInput.from(decompress(bytes.toByteArray(), uncompressedSize));
    }

    @Override
    public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
        throws IOException {
      byte[] compressed = new byte[compressedSize];
      input.duplicate().get(compressed);
      output.put(codec == CompressionCodecName.UNCOMPRESSED ? compressed : decompress(compressed, uncompressedSize));
    }

    private byte[] decompress(byte[] compressed, int uncompressedSize) throws IOException {
      byte[] out = new byte[uncompressedSize];
      int written = switch (codec) {
        case SNAPPY -> block(new SnappyDecompressor(), compressed, out);
        case ZSTD -> block(new ZstdDecompressor(), compressed, out);
        case LZ4_RAW -> block(new Lz4Decompressor(), compressed, out);
        case GZIP -> gzip(compressed, out);
        default -> throw new IOException("Parquet pages compressed with " + codec
            + " are not supported (supported: UNCOMPRESSED, SNAPPY, ZSTD, GZIP, LZ4_RAW)");
      };
      if (written != uncompressedSize) {
        throw new IOException(codec + " page: " + written + " bytes decompressed, the page header says " + uncompressedSize);
      }
      return out;
    }

    private static int block(Decompressor decompressor, byte[] compressed, byte[] out) {
      return decompressor.decompress(compressed, 0, compressed.length, out, 0, out.length);
    }

    private static int gzip(byte[] compressed, byte[] out) throws IOException {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
        return in.readNBytes(out, 0, out.length);
      }
    }

    @Override
    public void release() {}
  }
}
