package dev.contrastive.trainer.train;

/**
 * Where one training step's wall time went, in nanoseconds, and how many gradient bytes it
 * handed to the all-reduce (0 in a single-process run).
 */
public record StepStats(
    long dataWaitNanos, long forwardBackwardNanos, long allReduceNanos, long optimizerNanos, long allReducedBytes) {

  public StepStats withDataWait(long nanos) {
    return new StepStats(nanos, forwardBackwardNanos, allReduceNanos, optimizerNanos, allReducedBytes);
  }
}
