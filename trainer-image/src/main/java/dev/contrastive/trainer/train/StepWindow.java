package dev.contrastive.trainer.train;

import java.time.Duration;

/** Losses and time of the steps since the last log line (or since the epoch began). */
final class StepWindow {

  private long start = System.nanoTime();
  private long steps;
  private double lossSum;

  void add(double loss) {
    steps++;
    lossSum += loss;
  }

  long steps() {
    return steps;
  }

  double meanLoss() {
    return steps == 0 ? Double.NaN : lossSum / steps;
  }

  /** Images per second of the whole gang, {@code imagesPerStep} being all ranks' images. */
  double imagesPerSecond(long imagesPerStep) {
    return imagesPerStep * steps / Math.max(1e-9, (System.nanoTime() - start) / 1e9);
  }

  /** Time {@code remainingSteps} take at this window's pace. */
  Duration eta(long remainingSteps) {
    return steps == 0 ? Duration.ZERO : Duration.ofNanos((System.nanoTime() - start) / steps * remainingSteps);
  }
}
