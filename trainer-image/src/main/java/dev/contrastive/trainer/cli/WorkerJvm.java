package dev.contrastive.trainer.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/** JVM arguments of the local worker processes that {@code --nproc} starts. */
final class WorkerJvm {

  private static final String THREADS = "-Dai.djl.pytorch.num_threads=";

  private WorkerJvm() {}

  /**
   * This JVM's heap limit and DJL settings. Compute threads per worker: this JVM's explicit
   * setting if it has one (the DDP benchmark pins 1), else the cores shared out among the workers.
   */
  static List<String> arguments(int nproc) {
    List<String> jvm = new ArrayList<>();
    String threads = THREADS + Math.max(1, Runtime.getRuntime().availableProcessors() / nproc);
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith(THREADS)) {
        threads = arg;
      } else if (arg.startsWith("-Xmx")
          || (arg.startsWith("-Dai.djl.") && !arg.startsWith("-Dai.djl.pytorch.num_interop_threads="))) {
        jvm.add(arg);
      }
    }
    jvm.add(threads);
    jvm.add("-Dai.djl.pytorch.num_interop_threads=1");
    return jvm;
  }
}
