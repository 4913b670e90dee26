package dev.contrastive.trainer.dist;

import java.time.Duration;

/**
 * A rendezvous or collective failed: wrong token, a peer died or stalled, a timeout. The message is
 * one line that names the peer rank where one is involved, so the CLI prints it and exits non-zero.
 */
public class DistributedException extends RuntimeException {

  public DistributedException(String message) {
    super(message);
  }

  public DistributedException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Timeouts in messages: whole seconds as configured, sub-second ones (tests) in ms. */
  static String describe(Duration timeout) {
    return timeout.toMillis() % 1000 == 0
        ? timeout.toSeconds() + " s"
        : timeout.toMillis() + " ms";
  }
}
