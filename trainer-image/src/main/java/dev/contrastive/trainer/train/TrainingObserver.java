package dev.contrastive.trainer.train;

import java.nio.file.Path;

/**
 * What a training run tells the outside while it trains (metrics endpoint, experiment tracking).
 * Every rank calls it from the training thread; an observer must return quickly and never throw
 * for a problem of its own (a tracking server that is down must not stop training).
 */
public interface TrainingObserver {

  TrainingObserver NONE = new TrainingObserver() {};

  /** Held-out images rank 0 should find neighbours for at each evaluation (a contact sheet); 0 for none. */
  default int contactSheetQueries() {
    return 0;
  }

  /** Before the first step: where this process starts, {@code lastCheckpoint} null if none. */
  default void started(long totalSteps, int totalEpochs, TrainingState from, Path lastCheckpoint) {}

  /** After each step of this rank: its own loss and where the step's time went. */
  default void stepped(int epoch, long step, float loss, float lr, int images, StepStats stats) {}

  /** Every {@code trainer.logIntervalSteps}: the values of the log line (loss averaged over ranks). */
  default void logged(int epoch, long step, double loss, double imagesPerSecond, float lr) {}

  /**
   * After a kNN evaluation (all ranks); {@code neighbours} holds the contact-sheet queries and
   * their nearest training images (empty on ranks other than 0 or when none are asked for).
   */
  default void evaluated(int epoch, long step, double knnTop1, Neighbours neighbours) {}

  /** Rank 0 wrote a checkpoint. */
  default void checkpointed(long step, Path checkpoint) {}

  /** The end of an epoch: loss averaged over ranks and images/s of the gang. */
  default void epochEnded(int epoch, long step, double loss, double imagesPerSecond) {}

  /** The run ended: all epochs trained ({@code complete}) or stopped early; exported may be null. */
  default void finished(TrainingRun.Result result, boolean complete, Path exportedModel) {}
}
