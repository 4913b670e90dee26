package dev.contrastive.trainer.cli;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import java.util.Map;

/**
 * The number of training processes a run will have, as far as its spec and environment tell before
 * the operator has chosen nodes: what {@code trainer config} counts the global batch for.
 *
 * @param processes training processes (WORLD_SIZE)
 * @param source where the number came from, for the printed line
 */
record PlannedWorldSize(int processes, String source) {

  /** A number the user gave ({@code --world-size N} or {@code WORLD_SIZE=N}), named by {@code source}. */
  static PlannedWorldSize given(int processes, String source) {
    if (processes < 1) {
      throw new UserInputException(source + " " + processes + " is not allowed; use 1 or more");
    }
    return new PlannedWorldSize(processes, source);
  }

  static PlannedWorldSize of(ContrastiveTrainingRunSpec spec, Map<String, String> env) {
    String fromEnv = env.get("WORLD_SIZE");
    if (fromEnv != null && !fromEnv.isBlank()) {
      try {
        return given(Integer.parseInt(fromEnv.trim()), "WORLD_SIZE");
      } catch (NumberFormatException e) {
        throw new UserInputException("WORLD_SIZE=" + fromEnv + " is not a whole number of processes");
      }
    }
    int perPod = spec.resources.effectiveProcessesPerWorker();
    boolean cpuOnly = spec.resources.gpusPerNode != null && spec.resources.gpusPerNode == 0;
    if (cpuOnly && spec.workers != null) {
      return new PlannedWorldSize(spec.workers * perPod, "spec.workers x " + processes(perPod));
    }
    if (!cpuOnly && spec.maxNodes != null) {
      return new PlannedWorldSize(spec.maxNodes * perPod, "spec.maxNodes x " + processes(perPod)
          + "; fewer nodes scale it down");
    }
    return new PlannedWorldSize(perPod, "one worker pod of " + processes(perPod) + "; --world-size N for more");
  }

  private static String processes(int n) {
    return n == 1 ? "1 process" : n + " processes";
  }
}
