package dev.contrastive.local.pods;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Image -> local command. An image is found by its full name, else by its name without tag. */
public final class ContainerCommands {

  private final Map<String, ContainerCommand> byImage = new LinkedHashMap<>();

  public ContainerCommands map(String image, ContainerCommand command) {
    byImage.put(image, command);
    byImage.putIfAbsent(withoutTag(image), command);
    return this;
  }

  public Optional<ContainerCommand> find(String image) {
    return Optional.ofNullable(byImage.getOrDefault(image, byImage.get(withoutTag(image))));
  }

  /** {@code repo/name:tag} or {@code repo/name@sha256:...} -> {@code repo/name}. */
  static String withoutTag(String image) {
    int digest = image.indexOf('@');
    String name = digest >= 0 ? image.substring(0, digest) : image;
    int colon = name.lastIndexOf(':');
    return colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
  }
}
