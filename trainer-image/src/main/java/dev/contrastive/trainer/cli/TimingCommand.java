package dev.contrastive.trainer.cli;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.engine.CpuIsa;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * What the commands that time something and print one {@code key=value} line share ({@code bench},
 * {@code bench-input}): the run file with its overrides, the one-line refusal of bad counts, and
 * the CPU ISA label their lines end with.
 */
abstract class TimingCommand implements Callable<Integer> {

  @ParentCommand TrainerCli root;
  @Mixin RunFileOptions run;

  /** The run file's spec, overrides applied and resolved. */
  ContrastiveTrainingRunSpec spec() {
    return run.resolve(root.env).getSpec();
  }

  /** Refuses the command's counts with {@code message} (one line, exit code 2) unless {@code valid}. */
  static void require(boolean valid, String message) {
    if (!valid) {
      throw new UserInputException(message);
    }
  }

  /** The ISA oneDNN runs on here, capped by ONEDNN_MAX_CPU_ISA (oneDNN reads the process's environment). */
  static String isa() {
    return CpuIsa.detect(System.getenv()).shortName();
  }
}
