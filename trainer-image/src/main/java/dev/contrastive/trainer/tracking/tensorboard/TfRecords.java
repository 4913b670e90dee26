package dev.contrastive.trainer.tracking.tensorboard;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, as TensorBoard reads event files: little-endian uint64 length, masked CRC-32C
 * of the length, the data, masked CRC-32C of the data. (No library outside TensorFlow writes it.)
 */
public final class TfRecords {

  private static final int MASK_DELTA = 0xa282ead8;

  private TfRecords() {}

  public static void write(OutputStream out, byte[] data) throws IOException {
    byte[] length = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
    out.write(length);
    out.write(intLittleEndian(maskedCrc(length, 0, length.length)));
    out.write(data);
    out.write(intLittleEndian(maskedCrc(data, 0, data.length)));
  }

  /** CRC-32C rotated right by 15 bits plus a constant: TFRecord's guard against CRCs of CRCs. */
  public static int maskedCrc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    int value = (int) crc.getValue();
    return ((value >>> 15) | (value << 17)) + MASK_DELTA;
  }

  private static byte[] intLittleEndian(int value) {
    return ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
  }
}
