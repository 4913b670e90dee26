package dev.contrastive.trainer.cli;

/** Exit codes of the trainer; the operator reads them from the pod's terminated state. */
public final class ExitCodes {

  public static final int OK = 0;
  /** A failure that a retry may fix (a peer died, the node went away, out of memory). */
  public static final int FAILED = 1;
  /** Invalid input: retrying cannot help. */
  public static final int INVALID_INPUT = 2;

  private ExitCodes() {}
}
