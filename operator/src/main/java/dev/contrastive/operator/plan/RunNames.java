package dev.contrastive.operator.plan;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.naming.RunName;
import java.util.Map;

/** Names and labels of the objects a run owns, derived from the run's name only (whose bounds are {@link RunName}'s). */
public final class RunNames {

  public static final String RUN_LABEL = "contrastive.dev/run";
  public static final String RANK_LABEL = "contrastive.dev/rank";
  /** Which gang a worker belongs to, so pods of an earlier gang are recognised after a restart. */
  public static final String GANG_LABEL = "contrastive.dev/gang";
  public static final String CONFIG_KEY = "run.yaml";
  public static final String CONFIG_DIR = "/etc/contrastive";
  public static final String CONFIG_FILE = CONFIG_DIR + "/" + CONFIG_KEY;
  public static final String TOKEN_KEY = "token";

  private RunNames() {}

  public static String config(ContrastiveTrainingRun run) {
    return run.getMetadata().getName() + RunName.CONFIG_SUFFIX;
  }

  /** The operator's own record of the run ({@link RunState}). */
  public static String state(ContrastiveTrainingRun run) {
    return run.getMetadata().getName() + RunName.STATE_SUFFIX;
  }

  public static String service(ContrastiveTrainingRun run) {
    return run.getMetadata().getName() + RunName.SERVICE_SUFFIX;
  }

  /** ServiceAccount, Role and RoleBinding of the trainer share one name. */
  public static String trainerAccess(ContrastiveTrainingRun run) {
    return run.getMetadata().getName() + RunName.TRAINER_ACCESS_SUFFIX;
  }

  /** Who may reach the workers ({@link RunNetworkPolicy}). */
  public static String networkPolicy(ContrastiveTrainingRun run) {
    return run.getMetadata().getName() + RunName.NETWORK_POLICY_SUFFIX;
  }

  public static String tokenSecret(ContrastiveTrainingRun run) {
    return run.getMetadata().getName() + RunName.TOKEN_SECRET_SUFFIX;
  }

  public static String worker(ContrastiveTrainingRun run, int rank) {
    return run.getMetadata().getName() + RunName.WORKER_SUFFIX + rank;
  }

  /** Rank 0's stable DNS name through the headless Service (hostname + subdomain of the pod). */
  public static String masterAddress(ContrastiveTrainingRun run) {
    return worker(run, 0) + "." + service(run) + "." + run.getMetadata().getNamespace() + ".svc";
  }

  public static Map<String, String> runLabels(ContrastiveTrainingRun run) {
    return Map.of(RUN_LABEL, run.getMetadata().getName());
  }
}
