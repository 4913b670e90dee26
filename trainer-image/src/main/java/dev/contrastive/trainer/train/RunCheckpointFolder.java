package dev.contrastive.trainer.train;

import dev.contrastive.trainer.cli.UserInputException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The folder a run owns on the checkpoint volume: {@code <mountPath>/<namespace>/<name>/<uid>}.
 * Two runs on one volume (a shared claim, a re-created run of the same name) never prune or
 * resume from each other's checkpoints. A run outside a cluster (no uid) uses {@value #NO_UID}.
 */
public final class RunCheckpointFolder {

  /** The uid segment of a run that has none (the CLI outside a cluster). */
  public static final String NO_UID = "local";

  // Kubernetes object names (DNS-1123 subdomain); never ".", ".." or a path separator.
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
  private static final Pattern UID = Pattern.compile("[A-Za-z0-9][-A-Za-z0-9]{0,63}");

  private static final String KUBERNETES_NAME = "lower-case letters, digits, '-' and '.' (a Kubernetes name)";

  private RunCheckpointFolder() {}

  /**
   * @throws UserInputException when a part is not a Kubernetes name (or uid), so it could escape
   *     the volume or collide with another run's folder
   */
  public static Path of(Path mountPath, String namespace, String name, String uid) {
    check(NAME, namespace, "namespace (NAMESPACE or metadata.namespace)", KUBERNETES_NAME);
    check(NAME, name, "run name (RUN_NAME or metadata.name)", KUBERNETES_NAME);
    String uidSegment = uid == null || uid.isBlank() ? NO_UID : uid;
    check(UID, uidSegment, "run uid (RUN_UID or metadata.uid)", "letters, digits and '-' (a Kubernetes uid)");
    return mountPath.resolve(namespace).resolve(name).resolve(uidSegment);
  }

  private static void check(Pattern pattern, String value, String what, String allowed) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new UserInputException("checkpoint folder: " + what + " '" + value + "' is not allowed; use " + allowed);
    }
  }
}
