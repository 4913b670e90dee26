package dev.contrastive.trainer.device;

/** The environment asks for a device or transfer path this process cannot use (exit code 2). */
public class PlacementException extends RuntimeException {

  public PlacementException(String message) {
    super(message);
  }
}
