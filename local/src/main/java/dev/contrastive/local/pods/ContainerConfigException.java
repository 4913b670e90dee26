package dev.contrastive.local.pods;

/** The pod cannot start as written (what a kubelet reports as CreateContainerConfigError). */
public final class ContainerConfigException extends Exception {
  public ContainerConfigException(String message) {
    super(message);
  }
}
