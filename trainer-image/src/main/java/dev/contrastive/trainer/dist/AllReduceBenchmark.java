package dev.contrastive.trainer.dist;

import dev.contrastive.api.spec.DistributedSpec;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * All-reduce bandwidth on this machine, as nccl-tests reports it: algbw = bytes / time, busbw =
 * algbw * 2 (n-1) / n. Without WORLD_SIZE it launches {@code --nproc} workers of itself; rank 0
 * prints one CSV line per size: {@code impl,ranks,bytes,seconds,algbw_GBps,busbw_GBps}.
 * Used by {@code bench/allreduce.sh}; not part of the trainer's commands.
 */
public final class AllReduceBenchmark {

  private AllReduceBenchmark() {}

  /** CPU time of this whole process (all threads: GC and JIT included, as for Gloo's side). */
  private static long cpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
  }

  /** Arguments: nproc, comma-separated sizes in MiB, repetitions per size. */
  public static void main(String[] args) {
    int nproc = Integer.parseInt(args[0]);
    int[] sizesMiB = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
    int repetitions = Integer.parseInt(args[2]);
    if (System.getenv("WORLD_SIZE") == null) {
      List<String> jvm = List.of("-Xmx256m", "-XX:MaxDirectMemorySize=1g");
      System.exit(new LocalLauncher(nproc, jvm, AllReduceBenchmark.class.getName(),
          List.of(args), System.out).run());
    }
    DistributedSpec spec = new DistributedSpec();
    spec.rendezvousTimeoutSeconds = 60;
    try (ProcessGroup group = ProcessGroup.fromEnvironment(System.getenv(), spec)) {
      for (int mib : sizesMiB) {
        ByteBuffer data = ByteBuffer.allocateDirect(mib << 20);
        for (int i = 0; i < 3; i++) {
          group.allReduce(data, false); // warm-up: JIT and TCP windows
        }
        group.barrier();
        long cpuStart = cpuNanos();
        long start = System.nanoTime();
        for (int i = 0; i < repetitions; i++) {
          group.allReduce(data, false);
        }
        double seconds = (System.nanoTime() - start) / 1e9 / repetitions;
        double cpu = (cpuNanos() - cpuStart) / 1e9 / repetitions;
        double[][] gathered = group.allGather(new double[] {seconds, cpu});
        double slowest = Arrays.stream(gathered).mapToDouble(t -> t[0]).max().orElseThrow();
        double cpuSum = Arrays.stream(gathered).mapToDouble(t -> t[1]).sum();
        if (group.rank() == 0) {
          double algbw = data.capacity() / slowest / 1e9;
          double busbw = algbw * 2 * (nproc - 1) / nproc;
          System.out.printf("java,%d,%d,%.6f,%.3f,%.3f,%.6f%n", nproc, data.capacity(), slowest,
              algbw, busbw, cpuSum);
        }
      }
    }
  }
}
