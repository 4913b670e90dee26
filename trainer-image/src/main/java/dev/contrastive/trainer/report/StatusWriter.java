package dev.contrastive.trainer.report;

import dev.contrastive.api.status.ProgressStatus;

/** Where rank 0 sends progress: the run's status in a cluster, nowhere else. */
public interface StatusWriter {

  /** Writes the progress; may throw on network or API errors (the caller rate-limits and retries). */
  void write(ProgressStatus progress) throws Exception;

  /**
   * Records a Warning Event on the run, for {@code kubectl describe} and event-based alerts; may
   * throw like {@link #write}. Runs outside a cluster have nowhere to put it (it is logged anyway).
   */
  default void warn(String reason, String message) throws Exception {}

  /** A writer for runs outside a cluster: progress is only logged. */
  StatusWriter NONE = progress -> {};
}
