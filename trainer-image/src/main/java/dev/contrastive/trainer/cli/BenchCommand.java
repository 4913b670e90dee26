package dev.contrastive.trainer.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.loss.NtXentLoss;
import dev.contrastive.trainer.model.SimClrModel;
import dev.contrastive.trainer.optim.Optimizers;
import dev.contrastive.trainer.optim.ParameterOptimizer;
import dev.contrastive.trainer.train.SimClrNetwork;
import dev.contrastive.trainer.train.SimClrStep;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Times the full training step (forward of both views, NT-Xent, backward, update) of the run's
 * architecture on random views, in the line format of {@code bench/pytorch_simclr_step.py}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Time the training step of the run's architecture: images/s and peak memory (VmHWM).")
final class BenchCommand implements Callable<Integer> {

  @ParentCommand TrainerCli root;
  @Mixin RunFileOptions run;

  @Option(names = "--batch", defaultValue = "128", description = "Images per step (default 128).")
  int batch;

  @Option(names = "--steps", defaultValue = "3", description = "Timed steps (default 3).")
  int steps;

  @Option(names = "--warmup", defaultValue = "1", description = "Untimed steps first (default 1).")
  int warmup;

  @Override
  public Integer call() {
    if (batch < 2 || steps < 1 || warmup < 0) {
      throw new UserInputException("--batch must be >= 2, --steps >= 1 and --warmup >= 0; got "
          + batch + ", " + steps + ", " + warmup);
    }
    ContrastiveTrainingRunSpec spec = run.resolve(root.env).getSpec();
    int size = spec.dataset.imageSize;
    double seconds;
    try (NDManager manager = NDManager.newBaseManager()) {
      SimClrModel model = SimClrNetwork.create(spec, manager);
      try (ParameterOptimizer optimizer = Optimizers.create(spec.optimizer, manager)) {
        SimClrStep step = new SimClrStep(model, new NtXentLoss(spec.loss.temperature), optimizer, null);
        float lr = spec.optimizer.lr.floatValue();
        for (int i = 0; i < warmup; i++) {
          oneStep(step, manager, size, lr);
        }
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) {
          oneStep(step, manager, size, lr);
        }
        seconds = (System.nanoTime() - start) / 1e9;
      }
    }
    root.out.println(String.format(Locale.ROOT,
        "engine=djl-%s-%s arch=%s batch=%d image=%d steps=%d images_per_second=%.2f"
            + " seconds_per_step=%.3f peak_rss_mib=%.0f",
        Engine.getInstance().getEngineName().toLowerCase(Locale.ROOT), Engine.getInstance().getVersion(),
        spec.architecture.preset, batch, size, steps, batch * steps / seconds, seconds / steps,
        ProcessMemory.peakResidentMiB()));
    return ExitCodes.OK;
  }

  private void oneStep(SimClrStep step, NDManager manager, int size, float lr) {
    try (NDManager batchManager = manager.newSubManager()) {
      NDArray first = batchManager.randomNormal(new Shape(batch, 3, size, size));
      NDArray second = batchManager.randomNormal(new Shape(batch, 3, size, size));
      step.run(first, second, lr);
    }
  }
}
