package dev.contrastive.local.run;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.config.RunFiles;
import java.nio.file.Path;

/**
 * Reads the run YAML a user passes to the local mode, as strictly as {@code trainer config}
 * ({@link RunFiles}: kind, field names, types), plus what the local mode itself needs; every
 * problem is one line.
 */
public final class RunFile {

  /** A run file the local mode cannot use; the message names the file and the problem. */
  public static final class BadRunFileException extends Exception {
    BadRunFileException(String message) {
      super(message);
    }
  }

  private RunFile() {}

  public static ContrastiveTrainingRun load(Path file) throws BadRunFileException {
    ContrastiveTrainingRun run;
    try {
      run = RunFiles.load(file);
    } catch (InvalidConfigException e) {
      throw new BadRunFileException(e.getMessage());
    }
    if (run.getMetadata() == null || run.getMetadata().getName() == null) {
      throw new BadRunFileException(file + ": metadata.name is required");
    }
    if (run.getSpec() == null || run.getSpec().image == null) {
      throw new BadRunFileException(file + ": spec.image is required");
    }
    return run;
  }
}
