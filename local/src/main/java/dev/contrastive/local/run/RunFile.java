package dev.contrastive.local.run;

import dev.contrastive.api.ContrastiveTrainingRun;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the run YAML a user passes to the local mode; every problem is one line. */
public final class RunFile {

  /** A run file the local mode cannot use; the message names the file and the problem. */
  public static final class BadRunFileException extends Exception {
    BadRunFileException(String message) {
      super(message);
    }
  }

  private RunFile() {}

  public static ContrastiveTrainingRun load(Path file) throws BadRunFileException {
    if (!Files.isRegularFile(file)) {
      throw new BadRunFileException(file + ": no such file");
    }
    ContrastiveTrainingRun run;
    try (InputStream in = Files.newInputStream(file)) {
      run = Serialization.unmarshal(in, ContrastiveTrainingRun.class);
    } catch (IOException | RuntimeException e) {
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
      throw new BadRunFileException(file + ": not a valid ContrastiveTrainingRun YAML: " + reason);
    }
    if (run == null || !"ContrastiveTrainingRun".equals(run.getKind())) {
      throw new BadRunFileException(file + ": kind must be ContrastiveTrainingRun");
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
