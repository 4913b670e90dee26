package dev.contrastive.local.pods;

import io.fabric8.kubernetes.api.model.Container;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** How one image runs on this machine: the local command line standing in for the container. */
@FunctionalInterface
public interface ContainerCommand {

  /**
   * @param args the container's args, mount paths already rewritten to local folders
   * @param env the resolved env of the container
   */
  List<String> commandLine(Container container, List<String> args, Map<String, String> env);

  /** Runs the container's own command and args here, e.g. {@code sh -c ...} of a test image. */
  static ContainerCommand asWritten() {
    return (container, args, env) -> {
      List<String> line = new ArrayList<>(container.getCommand());
      line.addAll(args);
      return line;
    };
  }
}
