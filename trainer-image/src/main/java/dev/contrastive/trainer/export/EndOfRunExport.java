package dev.contrastive.trainer.export;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.api.status.ProgressStatus;
import dev.contrastive.trainer.data.ChannelStats;
import dev.contrastive.trainer.model.SimClrModel;
import dev.contrastive.trainer.train.TrainingState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Rank 0's export when a run has trained all its epochs: the encoder, as {@code trainer export}
 * writes it, in {@value #FILE_NAME} beside the last checkpoint. A failure is logged and does not
 * fail the run: the checkpoint is complete, and {@code trainer export} can write the file later.
 */
public final class EndOfRunExport {

  public static final String FILE_NAME = "encoder.safetensors";

  private EndOfRunExport() {}

  /**
   * Writes the file.
   *
   * @return its path, for {@code status.progress.exportedModel}; null when it could not be written
   *     (or its path is too long for the status)
   */
  public static String write(
      ContrastiveTrainingRunSpec spec,
      SimClrModel model,
      TrainingState state,
      ChannelStats stats,
      Path lastCheckpoint,
      Consumer<String> log) {
    Path file = lastCheckpoint.resolveSibling(FILE_NAME);
    EncoderExport.Origin origin =
        new EncoderExport.Origin(lastCheckpoint.getFileName().toString(), state.epochsDone(), state.step());
    try {
      EncoderExport.write(file, spec, model, origin, stats, false);
    } catch (IOException | RuntimeException e) {
      log.accept("cannot export the encoder (the checkpoint is complete; `trainer export` can write it): " + e);
      return null;
    }
    log.accept("exported encoder " + file + " (" + EncoderExport.module(spec.architecture) + ")");
    return ProgressStatus.boundedPath(file.toString());
  }
}
