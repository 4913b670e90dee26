package dev.contrastive.trainer.data;

/**
 * Format and size of an encoded image, read from its header without decoding it, so the decoder
 * can pick a reduced JPEG scale before it starts.
 *
 * @param jpeg true for a JPEG (the only format libjpeg can decode at 1/2, 1/4 or 1/8 scale)
 */
public record ImageHeader(int width, int height, boolean jpeg) {

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  /** The header of a JPEG or PNG image, or null when the bytes are neither (or cut short). */
  public static ImageHeader read(byte[] encoded) {
    if (encoded.length >= 24 && startsWith(encoded, PNG_SIGNATURE)) {
      // The first chunk is IHDR: width and height are its first two big-endian ints.
      return new ImageHeader(int32(encoded, 16), int32(encoded, 20), false);
    }
    if (encoded.length >= 4 && (encoded[0] & 0xFF) == 0xFF && (encoded[1] & 0xFF) == 0xD8) {
      return jpeg(encoded);
    }
    return null;
  }

  private static ImageHeader jpeg(byte[] b) {
    int p = 2;
    while (p + 3 < b.length) {
      if ((b[p] & 0xFF) != 0xFF) {
        return null; // not at a marker: damaged, let the decoder say so
      }
      int marker = b[p + 1] & 0xFF;
      if (marker == 0xFF) {
        p++; // fill byte
        continue;
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        p += 2; // markers without a length
        continue;
      }
      int length = ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
      // Start of frame: every SOFn except DHT (C4), JPG (C8) and DAC (CC).
      if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
        if (p + 8 >= b.length) {
          return null;
        }
        int height = ((b[p + 5] & 0xFF) << 8) | (b[p + 6] & 0xFF);
        int width = ((b[p + 7] & 0xFF) << 8) | (b[p + 8] & 0xFF);
        return width > 0 && height > 0 ? new ImageHeader(width, height, true) : null;
      }
      if (marker == 0xDA || length < 2) {
        return null; // scan data before any frame header
      }
      p += 2 + length;
    }
    return null;
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int int32(byte[] b, int at) {
    return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
  }
}
