package dev.contrastive.api.status;

/** Lifecycle phase of a run, as {@code kubectl get} shows it. */
public enum Phase {
  Pending,
  Running,
  Succeeded,
  Failed,
  Suspended;

  public boolean isFinished() {
    return this == Succeeded || this == Failed;
  }
}
