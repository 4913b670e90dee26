package dev.contrastive.api.status;

/** Lifecycle phase of a run, as {@code kubectl get} shows it. */
public enum Phase {
  Pending,
  /** Waiting for a queue (Kueue) to admit the gang; no worker runs. */
  Queued,
  Running,
  Succeeded,
  Failed,
  Suspended;

  public boolean isFinished() {
    return this == Succeeded || this == Failed;
  }
}
