package dev.contrastive.trainer.observe;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.trainer.cli.UserInputException;
import java.util.Map;

/**
 * Who this process is, for metric labels and tracking tags: the run (name, namespace, uid, image)
 * and the process (rank, local rank, world size). A pod's environment (RUN_NAME, NAMESPACE,
 * RUN_UID, LOCAL_RANK) wins over the run file's metadata.
 */
public record RunIdentity(
    String runName, String namespace, String uid, String image, int rank, int localRank, int worldSize) {

  public static RunIdentity of(ContrastiveTrainingRun run, Map<String, String> env, int rank, int worldSize) {
    var meta = run.getMetadata();
    String name = first(env.get("RUN_NAME"), meta == null ? null : meta.getName(), "run");
    String namespace = first(env.get("NAMESPACE"), meta == null ? null : meta.getNamespace(), "default");
    String uid = first(env.get("RUN_UID"), meta == null ? null : meta.getUid(), "");
    return new RunIdentity(name, namespace, uid, run.getSpec().image, rank, localRank(env), worldSize);
  }

  /** LOCAL_RANK: this process's index among the processes of its pod (0 when unset). */
  static int localRank(Map<String, String> env) {
    String value = env.get("LOCAL_RANK");
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= 0 && parsed < 1024) {
        return parsed;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new UserInputException("environment variable LOCAL_RANK must be an integer in [0, 1023], got '" + value + "'");
  }

  private static String first(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value.trim();
      }
    }
    return "";
  }
}
