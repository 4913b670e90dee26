package dev.contrastive.trainer.cli;

/**
 * Input the user can fix (a file, a flag, a setting): printed as one line, exit code 2, no trace.
 * The operator treats exit code 2 as "invalid config" and does not retry.
 */
public class UserInputException extends RuntimeException {

  public UserInputException(String message) {
    super(message);
  }

  public UserInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
