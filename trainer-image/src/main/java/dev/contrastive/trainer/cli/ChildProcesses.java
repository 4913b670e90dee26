package dev.contrastive.trainer.cli;

import ai.djl.util.cuda.CudaUtils;
import dev.contrastive.trainer.dist.LocalLauncher;
import dev.contrastive.trainer.dist.NodeLayout;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * Whether a {@code train} or {@code bench} process works itself or starts the ranks as child
 * processes: a worker pod with several GPUs (one process per GPU, like torchrun), or
 * {@code --nproc/--nodes} outside a cluster. Both commands decide it the same way.
 */
final class ChildProcesses {

  private ChildProcesses() {}

  /** The children's exit code when this process is a launcher, empty when it is a rank itself. */
  static OptionalInt launchIfParent(TrainerCli root, int nodes, int nproc, Supplier<List<String>> workerArguments) {
    if (LocalLauncher.launchesNode(root.env)) {
      int perNode = NodeLayout.positive(root.env, NodeLayout.NPROC_PER_NODE, 1);
      return OptionalInt.of(LocalLauncher.forNode(root.env, WorkerJvm.arguments(perNode),
          TrainerCli.class.getName(), workerArguments.get(), root.out).run());
    }
    if (nproc * nodes > 1 && !root.env.containsKey("WORLD_SIZE")) {
      // the ranks get the CLI's environment and, on a GPU machine, one GPU each, as in a pod
      List<String> gpus = LocalLauncher.visibleGpus(root.env, ChildProcesses::cudaGpuCount);
      return OptionalInt.of(LocalLauncher.standalone(root.env, gpus, nodes, nproc, WorkerJvm.arguments(nproc * nodes),
          TrainerCli.class.getName(), workerArguments.get(), root.out).run());
    }
    return OptionalInt.empty();
  }

  /** GPUs the CUDA runtime counts (without loading libtorch); 0 where it cannot be loaded. */
  private static int cudaGpuCount() {
    try {
      return CudaUtils.getGpuCount();
    } catch (LinkageError e) {
      return 0;
    }
  }
}
