package dev.contrastive.trainer.data.hub;

import java.time.Duration;

/**
 * Retries of a Hub request: up to {@code attempts} tries, waiting {@code first}, then twice as long
 * each time, at most {@code max}.
 */
record Backoff(int attempts, Duration first, Duration max) {

  /** About 2 minutes of retrying before a worker gives up. */
  static final Backoff DEFAULT = new Backoff(6, Duration.ofSeconds(2), Duration.ofSeconds(60));

  Duration delayBefore(int attempt) {
    long millis = first.toMillis() << Math.min(attempt - 1, 20);
    return Duration.ofMillis(Math.min(millis, max.toMillis()));
  }

  void sleepBefore(int attempt) {
    try {
      Thread.sleep(delayBefore(attempt).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubUnavailableException("interrupted while waiting to retry");
    }
  }
}
