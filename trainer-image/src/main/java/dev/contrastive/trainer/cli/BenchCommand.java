package dev.contrastive.trainer.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.device.Placement;
import dev.contrastive.trainer.dist.AllReduceAlgorithm;
import dev.contrastive.trainer.dist.BufferBroadcast;
import dev.contrastive.trainer.dist.CrossRankSums;
import dev.contrastive.trainer.dist.GradientAllReducer;
import dev.contrastive.trainer.dist.ProcessGroup;
import dev.contrastive.trainer.dist.ReplicaCheck;
import dev.contrastive.trainer.engine.NoGrad;
import dev.contrastive.trainer.loss.GlobalNegatives;
import dev.contrastive.trainer.loss.NtXentLoss;
import dev.contrastive.trainer.model.SyncBatchNorm;
import dev.contrastive.trainer.model.SimClrModel;
import dev.contrastive.trainer.optim.Optimizers;
import dev.contrastive.trainer.optim.ParameterOptimizer;
import dev.contrastive.trainer.precision.Precision;
import dev.contrastive.trainer.optim.ScaledLearningRate;
import dev.contrastive.trainer.train.SimClrNetwork;
import dev.contrastive.trainer.train.SimClrStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Times the full training step (forward of both views, NT-Xent, backward, update) of the run's
 * architecture on random views, in the line format of {@code bench/pytorch_simclr_step.py}. With
 * {@code --nproc N} (or as a worker of a gang) the step also averages gradients over the ranks, as
 * training does (rank 0's parameters broadcast first, buffers after each step), rank 0 adds the
 * ranks and the all-reduce's share of the step to the line, and the replica check runs at the end,
 * so a rank that drifted fails the bench. {@code device} is rank 0's; {@code peak_device_mib} is the
 * most device memory any rank had in use after a step ({@code n/a} on the CPU).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Time the training step of the run's architecture: images/s, peak memory (VmHWM) and peak"
        + " device memory.")
final class BenchCommand extends TimingCommand {

  @Option(names = "--batch", defaultValue = "128", description = "Images per step and rank (default 128).")
  int batch;

  @Option(names = "--steps", defaultValue = "3", description = "Timed steps (default 3).")
  int steps;

  @Option(names = "--warmup", defaultValue = "1", description = "Untimed steps first (default 1).")
  int warmup;

  @Option(names = "--nproc", paramLabel = "N", defaultValue = "1",
      description = "Run the step data-parallel in N local worker processes (default 1); rank 0 prints.")
  int nproc;

  @Option(names = "--nodes", paramLabel = "M", defaultValue = "1",
      description = "With --nproc: simulate M nodes on this machine (M x N ranks).")
  int nodes;

  /** Proves the tripwire where the bench runs (bench/gpu-check.sh's self-test): that rank drifts. */
  @Option(names = "--drift-rank", paramLabel = "R", hidden = true,
      description = "After the warm-up, rank R changes its own first parameter; the replica check must then fail.")
  Integer driftRank;

  @Override
  public Integer call() {
    require(batch >= 2 && steps >= 1 && warmup >= 0 && nproc >= 1 && nodes >= 1,
        "--batch must be >= 2, --steps >= 1, --warmup >= 0, --nproc and --nodes >= 1; got " + batch + ", " + steps
            + ", " + warmup + ", " + nproc + ", " + nodes);
    ContrastiveTrainingRunSpec spec = spec();
    OptionalInt children = ChildProcesses.launchIfParent(root, nodes, nproc, this::workerArguments);
    if (children.isPresent()) {
      return children.getAsInt();
    }
    Placement placement = Placement.fromEnvironment(root.env);
    try (ProcessGroup group = ProcessGroup.fromEnvironment(root.env, spec.distributed);
        AllReduceAlgorithm allReduce = AllReduceAlgorithm.open(group, root.env, spec.distributed)) {
      bench(spec, group, placement, allReduce);
    }
    return ExitCodes.OK;
  }

  private void bench(ContrastiveTrainingRunSpec spec, ProcessGroup group, Placement placement,
      AllReduceAlgorithm algorithm) {
    int size = spec.dataset.imageSize;
    double seconds;
    double allReduceSeconds;
    String replicas = "";
    DevicePeakMemory deviceMemory = new DevicePeakMemory(placement.device());
    try (NDManager manager = placement.newManager()) {
      SimClrModel model = SimClrNetwork.create(spec, manager);
      GradientAllReducer allReducer =
          group.worldSize() > 1 ? new GradientAllReducer(group, placement.transfer(), algorithm) : null;
      boolean syncBatchNorm = allReducer != null && SyncBatchNorm.wanted(spec.architecture);
      CrossRankSums crossRank = allReducer == null ? null : new CrossRankSums(group, algorithm);
      boolean broadcastBuffers = allReducer != null && BufferBroadcast.wanted(spec.distributed, syncBatchNorm);
      if (allReducer != null) {
        allReducer.broadcastParameters(model.getParameters()); // as training starts: rank 0's model
      }
      try (ParameterOptimizer optimizer = Optimizers.create(spec.optimizer, manager)) {
        SimClrStep step = new SimClrStep(model, new NtXentLoss(spec.loss.temperature), optimizer, allReducer)
            .withBufferBroadcast(broadcastBuffers ? new BufferBroadcast(allReducer) : null)
            .withGlobalNegatives(allReducer != null && GlobalNegatives.wanted(spec.loss) ? crossRank : null)
            .withSyncBatchNorm(syncBatchNorm ? crossRank : null)
            .withPrecision(Precision.of(spec.trainer.precision));
        float lr = (float) ScaledLearningRate.of(spec.optimizer, batch, group.worldSize()).effectiveLr();
        for (int i = 0; i < warmup; i++) {
          oneStep(step, manager, size, lr);
          deviceMemory.sample();
        }
        if (driftRank != null && driftRank == group.rank()) {
          drift(model);
        }
        group.barrier(); // the ranks start the clock together
        long allReduceBefore = allReducer == null ? 0 : allReducer.allReduceNanos();
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) {
          oneStep(step, manager, size, lr);
          deviceMemory.sample();
        }
        seconds = (System.nanoTime() - start) / 1e9;
        allReduceSeconds = allReducer == null ? 0 : (allReducer.allReduceNanos() - allReduceBefore) / 1e9;
      }
      if (allReducer != null) {
        // the tripwire training runs: fails every rank with one line when a replica drifted
        new ReplicaCheck(group, placement.transfer(), broadcastBuffers || syncBatchNorm)
            .verify(model.getParameters(), "after " + (warmup + steps) + " steps");
        replicas = " replica_check=passed";
      }
    }
    // the most any rank's device had in use (NaN on CPU ranks, which have no device memory)
    double peakDeviceMiB = Double.NaN;
    for (double[] rank : group.allGather(new double[] {deviceMemory.peakMiB()})) {
      peakDeviceMiB = Double.isNaN(peakDeviceMiB) ? rank[0] : Math.max(peakDeviceMiB, rank[0]);
    }
    if (group.rank() != 0) {
      return;
    }
    String ranks = group.worldSize() == 1 ? "" : " ranks=" + group.worldSize()
        + " negatives=" + (GlobalNegatives.wanted(spec.loss) ? "global" : "local")
        + " sync_batchnorm=" + SyncBatchNorm.wanted(spec.architecture);
    String allReduce = group.worldSize() == 1 ? "" : String.format(Locale.ROOT,
        " allreduce_seconds_per_step=%.3f allreduce_share=%.3f", allReduceSeconds / steps, allReduceSeconds / seconds);
    root.out.println(String.format(Locale.ROOT,
        "engine=djl-%s-%s arch=%s batch=%d%s image=%d steps=%d images_per_second=%.2f"
            + " seconds_per_step=%.3f%s peak_rss_mib=%.0f device=%s peak_device_mib=%s host_transfer=%s%s"
            + " allocator=%s isa=%s precision=%s",
        Engine.getInstance().getEngineName().toLowerCase(Locale.ROOT), Engine.getInstance().getVersion(),
        spec.architecture.preset, batch, ranks, size, steps,
        (double) batch * group.worldSize() * steps / seconds, seconds / steps, allReduce,
        ProcessMemory.peakResidentMiB(), placement.device(), DevicePeakMemory.format(peakDeviceMiB),
        placement.transfer().setting(), replicas, NativeAllocator.inUse(), isa(),
        Precision.of(spec.trainer.precision)));
  }

  /** What an exchange that missed this rank would leave: its first trained tensor off by 1e-3. */
  private static void drift(SimClrModel model) {
    for (Pair<String, Parameter> entry : model.getParameters()) {
      if (entry.getValue().requiresGradient()) {
        try (NoGrad off = NoGrad.enter()) {
          entry.getValue().getArray().addi(1e-3f);
        }
        return;
      }
    }
  }

  private void oneStep(SimClrStep step, NDManager manager, int size, float lr) {
    try (NDManager batchManager = manager.newSubManager()) {
      NDArray first = batchManager.randomNormal(new Shape(batch, 3, size, size));
      NDArray second = batchManager.randomNormal(new Shape(batch, 3, size, size));
      step.run(first, second, lr);
    }
  }

  private List<String> workerArguments() {
    List<String> args = new ArrayList<>(List.of("bench"));
    args.addAll(run.runFileArguments(root.env));
    args.addAll(List.of("--batch=" + batch, "--steps=" + steps, "--warmup=" + warmup));
    if (driftRank != null) {
      args.add("--drift-rank=" + driftRank);
    }
    if (root.debug) {
      args.add("--debug");
    }
    args.addAll(run.overrides);
    return args;
  }
}
