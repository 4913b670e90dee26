package dev.contrastive.trainer.cli;

import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.trainer.data.DataException;
import dev.contrastive.trainer.device.PlacementException;
import dev.contrastive.trainer.train.NonFiniteLossException;
import java.util.Objects;

/** Turns a failure into the exit code and the one line the user sees. */
final class Failures {

  record Failure(int exitCode, String message) {}

  private Failures() {}

  static Failure classify(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InvalidConfigException
          || t instanceof UserInputException
          || t instanceof DataException
          || t instanceof PlacementException
          || t instanceof NonFiniteLossException) {
        return new Failure(ExitCodes.INVALID_INPUT, firstLine(t));
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return new Failure(ExitCodes.FAILED, firstLine(e));
  }

  private static String firstLine(Throwable t) {
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      Throwable cause = t.getCause();
      return cause != null && cause != t ? firstLine(cause) : t.getClass().getSimpleName();
    }
    return Objects.requireNonNull(message.lines().findFirst().orElse(message));
  }
}
