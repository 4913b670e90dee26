package dev.contrastive.trainer.data;

/**
 * A problem with the user's data (missing folder, malformed file, unreadable image). The message
 * is one line that names the file and what was expected; the CLI prints it and exits with code 2.
 */
public class DataException extends RuntimeException {

  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
