package dev.contrastive.trainer.train;

import java.time.Duration;

/** Losses and time of the steps since the last log line (or since the epoch began). */
final class StepWindow {

  private long start = System.nanoTime();
  private long steps;
  private double lossSum;
  private long dataWaitNanos;
  private long waits;

  void add(double loss) {
    steps++;
    lossSum += loss;
  }

  /** A step of this window was blocked {@code nanos} waiting for its batch. */
  void waited(long nanos) {
    dataWaitNanos += nanos;
    waits++;
  }

  /** Mean time a step of this window waited for its batch. */
  Duration meanDataWait() {
    return waits == 0 ? Duration.ZERO : Duration.ofNanos(dataWaitNanos / waits);
  }

  /** Share of this window's wall time spent waiting for batches: the loader starving the step. */
  double dataWaitShare() {
    return Math.min(1.0, dataWaitNanos / (double) Math.max(1, System.nanoTime() - start));
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
