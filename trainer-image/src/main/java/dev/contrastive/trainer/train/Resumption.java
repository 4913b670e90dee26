package dev.contrastive.trainer.train;

import ai.djl.ndarray.NDManager;
import dev.contrastive.trainer.dist.DistributedException;
import dev.contrastive.trainer.dist.ProcessGroup;
import dev.contrastive.trainer.model.SimClrModel;
import dev.contrastive.trainer.optim.ParameterOptimizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Where a (re)started rank begins: the newest checkpoint that verifies, or step 0. */
final class Resumption {

  /**
   * The counters to continue from, the checkpoint they came from (null for a fresh start), and a
   * warning for each newer checkpoint that was skipped because it did not verify.
   */
  record Start(TrainingState state, Path checkpoint, List<String> skipped) {}

  private Resumption() {}

  /** Loads parameters and optimizer state of the newest good checkpoint, if any. */
  static Start load(
      CheckpointStore store, SimClrModel model, ParameterOptimizer optimizer, NDManager manager, long seed,
      Consumer<String> log) {
    List<String> skipped = new ArrayList<>();
    Optional<Checkpoint> latest = store.latest(skipped::add);
    if (latest.isEmpty()) {
      return new Start(new TrainingState(0, 0, seed), null, List.copyOf(skipped));
    }
    Checkpoint checkpoint = latest.get();
    checkpoint.loadParametersInto(model, manager);
    try (NDManager loading = manager.newSubManager()) {
      optimizer.loadStateDict(checkpoint.optimizerState(loading));
    }
    log.accept("resuming from " + checkpoint.dir() + " at epoch " + (checkpoint.state().epochsDone() + 1)
        + " step " + checkpoint.state().step());
    return new Start(checkpoint.state(), checkpoint.dir(), List.copyOf(skipped));
  }

  /** A rank that read another checkpoint (no shared volume) would train on a different curve. */
  static void checkSameStart(ProcessGroup group, TrainingState state) {
    double[][] steps = group.allGather(new double[] {state.step()});
    for (int r = 0; r < steps.length; r++) {
      if (steps[r][0] != state.step()) {
        throw new DistributedException("rank " + r + " resumes at step " + (long) steps[r][0]
            + " but rank " + group.rank() + " at step " + state.step()
            + ": all ranks must see the same checkpoint volume");
      }
    }
  }
}
