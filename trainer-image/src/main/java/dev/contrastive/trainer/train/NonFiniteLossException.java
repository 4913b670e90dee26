package dev.contrastive.trainer.train;

/**
 * The loss of a step was NaN or infinite: training stops there instead of going on with NaN
 * parameters and exiting 0. It is thrown before the epoch's checkpoint, so the newest checkpoint on
 * the volume still holds the last good state. A restart from it would meet the same divergence
 * (same data, seed and settings), so the trainer exits as on invalid input and the operator fails
 * the run with this message instead of restarting the gang.
 */
public final class NonFiniteLossException extends RuntimeException {

  public NonFiniteLossException(float loss, long step, int epoch, java.nio.file.Path lastCheckpoint) {
    super("loss is " + loss + " at step " + step + " (epoch " + epoch + "): training stopped; "
        + (lastCheckpoint == null ? "checkpoints written before it are kept" : "the last good checkpoint " + lastCheckpoint
            + " is kept") + "; lower optimizer.lr or raise loss.temperature");
  }
}
