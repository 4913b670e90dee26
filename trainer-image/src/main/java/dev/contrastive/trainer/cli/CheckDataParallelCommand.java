package dev.contrastive.trainer.cli;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.device.Placement;
import dev.contrastive.trainer.dist.AllReduceAlgorithm;
import dev.contrastive.trainer.dist.DataParallelCheck;
import dev.contrastive.trainer.dist.DistributedException;
import dev.contrastive.trainer.dist.ProcessGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code trainer check-data-parallel --nproc N}: {@link DataParallelCheck} on this machine's
 * devices, one process per GPU (or N CPU processes), through the same placement, host transfer
 * and all-reduce as training; bench/gpu-check.sh runs it. Exit 0 when the ranks match one process
 * on the global batch, 1 with one line when they do not.
 */
@Command(name = "check-data-parallel", mixinStandardHelpOptions = true,
    description = "Prove data-parallel training on this machine's devices: N ranks vs one process on the global batch.")
final class CheckDataParallelCommand implements Callable<Integer> {

  @ParentCommand TrainerCli root;
  @Mixin RunFileOptions run;

  @Option(names = "--nproc", paramLabel = "N", defaultValue = "2",
      description = "Ranks per node, one per GPU where there are GPUs (default 2).")
  int nproc;

  @Option(names = "--nodes", paramLabel = "M", defaultValue = "1",
      description = "Simulate M nodes on this machine (M x N ranks; two-level all-reduce).")
  int nodes;

  @Override
  public Integer call() {
    if (nproc < 1 || nodes < 1) {
      throw new UserInputException("--nproc " + nproc + " --nodes " + nodes + " is not allowed; use 1 or more");
    }
    ContrastiveTrainingRunSpec spec = run.resolve(root.env).getSpec();
    OptionalInt children = ChildProcesses.launchIfParent(root, nodes, nproc, this::workerArguments);
    if (children.isPresent()) {
      return children.getAsInt();
    }
    Placement placement = Placement.fromEnvironment(root.env);
    try (ProcessGroup group = ProcessGroup.fromEnvironment(root.env, spec.distributed);
        AllReduceAlgorithm allReduce = AllReduceAlgorithm.open(group, root.env, spec.distributed)) {
      DataParallelCheck.Result result = DataParallelCheck.run(group, placement, allReduce);
      String where = placement.describe() + ", " + allReduce.describe();
      if (!result.passed()) {
        throw new DistributedException("data-parallel check failed on " + where + ": " + result.describe());
      }
      if (group.rank() == 0) {
        root.out.println("data-parallel check passed on " + where + ": " + result.describe());
      }
    }
    return ExitCodes.OK;
  }

  private List<String> workerArguments() {
    List<String> args = new ArrayList<>(List.of("check-data-parallel"));
    args.addAll(run.runFileArguments(root.env));
    if (root.debug) {
      args.add("--debug");
    }
    args.addAll(run.overrides);
    return args;
  }
}
