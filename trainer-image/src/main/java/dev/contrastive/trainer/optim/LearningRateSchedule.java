package dev.contrastive.trainer.optim;

import dev.contrastive.api.spec.SchedulerSpec;

/**
 * Learning rate as a pure function of the optimizer step (0-based), so a resumed run continues on
 * the same curve: linear warm-up that reaches the peak on the last warm-up step, then cosine decay
 * from the peak to {@code minLrRatio * peak} at {@code totalSteps}, or constant.
 */
public final class LearningRateSchedule {

  /** What follows the warm-up. */
  public enum Decay {
    COSINE,
    CONSTANT
  }

  private final double peakLr;
  private final long warmupSteps;
  private final long totalSteps;
  private final Decay decay;
  private final double minLrRatio;

  /**
   * Builds a schedule.
   *
   * @param peakLr learning rate at the end of warm-up
   * @param warmupSteps steps of linear warm-up (0 for none)
   * @param totalSteps steps of the whole run; cosine decay ends here
   * @param decay cosine or constant after warm-up
   * @param minLrRatio final learning rate as a fraction of the peak
   */
  public LearningRateSchedule(
      double peakLr, long warmupSteps, long totalSteps, Decay decay, double minLrRatio) {
    this.peakLr = peakLr;
    this.warmupSteps = warmupSteps;
    this.totalSteps = totalSteps;
    this.decay = decay;
    this.minLrRatio = minLrRatio;
  }

  /**
   * The schedule of a run's {@link SchedulerSpec}, whose warm-up is given in epochs.
   *
   * @param scheduler the resolved scheduler settings
   * @param peakLr the optimizer's peak learning rate
   * @param stepsPerEpoch optimizer steps per epoch
   * @param epochs epochs of the run
   */
  public static LearningRateSchedule of(
      SchedulerSpec scheduler, double peakLr, long stepsPerEpoch, int epochs) {
    Decay decay;
    switch (scheduler.type) {
      case "cosine":
        decay = Decay.COSINE;
        break;
      case "constant":
        decay = Decay.CONSTANT;
        break;
      default:
        throw new IllegalArgumentException(
            "scheduler.type=" + scheduler.type + " is unknown: use cosine or constant");
    }
    return new LearningRateSchedule(
        peakLr,
        scheduler.warmupEpochs * stepsPerEpoch,
        epochs * stepsPerEpoch,
        decay,
        scheduler.minLrRatio);
  }

  /** The learning rate of optimizer step {@code step} (0-based). */
  public float at(long step) {
    if (step < warmupSteps) {
      return (float) (peakLr * (step + 1) / warmupSteps);
    }
    if (decay == Decay.CONSTANT || totalSteps <= warmupSteps) {
      return (float) peakLr;
    }
    double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
    double minLr = minLrRatio * peakLr;
    return (float) (minLr + (peakLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress)));
  }
}
