package dev.contrastive.trainer.dist;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What ranks say to each other on the wire, in one place. The rendezvous and every ring link start
 * with a proof that the peer holds the run's token (an HMAC over a fresh nonce or the session, so
 * the token itself never crosses the network), and every collective starts with a frame header
 * (operation, sequence number, length): ranks of different builds or configs fail at once with one
 * line naming both sides instead of misreading each other's bytes. Bump {@link #VERSION} with any
 * change to these formats.
 */
final class RingProtocol {

  /** 1 was the unauthenticated, unframed protocol; 2 adds HMAC handshakes and frame headers. */
  static final int VERSION = 2;
  /** "CRNG": the first bytes of a ring link handshake and of every frame header. */
  static final int MAGIC = 0x43524E47;
  static final int MAC_BYTES = 32;
  /** Longest operation name a frame header carries (ASCII). */
  static final int OPERATION_BYTES = 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  private RingProtocol() {}

  /** HMAC-SHA256 with the run's token over {@code parts}, each followed by a newline. */
  static byte[] mac(String token, Object... parts) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      for (Object part : parts) {
        mac.update((part + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java runtime has HmacSHA256", e);
    }
  }

  static String macHex(String token, Object... parts) {
    return HexFormat.of().formatHex(mac(token, parts));
  }

  /** Constant-time comparison, so timing does not leak how much of a guessed MAC was right. */
  static boolean sameMac(byte[] expected, byte[] actual) {
    return MessageDigest.isEqual(expected, actual);
  }

  static boolean sameMacHex(String expectedHex, String actualHex) {
    return sameMac(expectedHex.getBytes(StandardCharsets.US_ASCII), actualHex.getBytes(StandardCharsets.US_ASCII));
  }

  static String nonce() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** How a peer of another build is told apart in messages. */
  static String mismatch(String who, int theirs) {
    return who + " speaks ring protocol " + theirs + ", this trainer " + VERSION
        + ": every rank must run the same trainer image";
  }
}
