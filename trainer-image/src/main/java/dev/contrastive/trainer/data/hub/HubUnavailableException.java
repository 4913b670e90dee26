package dev.contrastive.trainer.data.hub;

/**
 * The Hub could not be reached or sent broken data even after retries. Not a problem of the run's
 * settings: the worker fails (exit code 1), and the gang restart that follows resumes the download
 * where it stopped.
 */
public class HubUnavailableException extends RuntimeException {

  public HubUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public HubUnavailableException(String message) {
    super(message);
  }
}
