package dev.contrastive.trainer.dist;

import dev.contrastive.api.spec.DistributedSpec;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * All-reduce bandwidth on this machine, as nccl-tests reports it: algbw = bytes / time, busbw =
 * algbw * 2 (n-1) / n. Without WORLD_SIZE it launches {@code --nproc} workers of itself; rank 0
 * prints one CSV line per size: {@code impl,ranks,bytes,seconds,algbw_GBps,busbw_GBps,cpu_seconds}.
 * With a fourth argument M the ranks form M simulated nodes and {@value AllReduceAlgorithm#VARIABLE}
 * picks the algorithm (impl {@code java} for the flat ring, {@code java-two-level} otherwise).
 * {@value #PRECISION}{@code =bf16} sends bf16 on the wire (impl suffix {@code -bf16}); bytes and
 * bandwidths always count the fp32 data reduced, so the two precisions compare as users see them.
 * Used by {@code bench/allreduce.sh}; not part of the trainer's commands.
 */
public final class AllReduceBenchmark {

  static final String PRECISION = "ALLREDUCE_PRECISION";

  private AllReduceBenchmark() {}

  /** CPU time of this whole process (all threads: GC and JIT included, as for Gloo's side). */
  private static long cpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
  }

  /**
   * Untimed all-reduces before each size: at least 5 and at least {@link #WARM_UP_MIB} in all, the
   * same rule as bench/allreduce_gloo.py. The JVM compiles the ring's loop only after a few dozen
   * calls (with 3 small warm-up calls, a third of the first size's CPU went to the JIT); training
   * all-reduces every step, so what it runs is the compiled loop.
   */
  static int warmUpCalls(int mib) {
    return Math.max(5, WARM_UP_MIB / mib);
  }

  private static final int WARM_UP_MIB = 256;

  /**
   * Timed all-reduces of one size: at least {@code least} and at least {@link #TIMED_MIB} in all,
   * the same rule as bench/allreduce_gloo.py. With 3-4 ranks sharing 2 cores, a window of a few
   * small calls (10 x 7 ms) moved by up to 2x between runs with the scheduler; about 2 s does not.
   */
  static int timedCalls(int mib, int least) {
    return Math.max(least, TIMED_MIB / mib);
  }

  private static final int TIMED_MIB = 1024;

  /** Arguments: nproc (all ranks), comma-separated sizes in MiB, least repetitions, [nodes]. */
  public static void main(String[] args) {
    int nproc = Integer.parseInt(args[0]);
    int[] sizesMiB = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
    int leastRepetitions = Integer.parseInt(args[2]);
    int nodes = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    if (System.getenv("WORLD_SIZE") == null) {
      List<String> jvm = List.of("-Xmx256m", "-XX:MaxDirectMemorySize=1g");
      // host buffers only: no GPU to share out
      System.exit(LocalLauncher.standalone(System.getenv(), List.of(), nodes, nproc / nodes, jvm,
          AllReduceBenchmark.class.getName(), List.of(args), System.out).run());
    }
    DistributedSpec spec = new DistributedSpec();
    spec.rendezvousTimeoutSeconds = 60;
    spec.allReducePrecision = System.getenv().getOrDefault(PRECISION, "fp32");
    try (ProcessGroup group = ProcessGroup.fromEnvironment(System.getenv(), spec);
        AllReduceAlgorithm algorithm = AllReduceAlgorithm.open(group, System.getenv(), spec)) {
      String impl = (algorithm instanceof TwoLevelAllReduce ? "java-two-level" : "java")
          + (AllReduceAlgorithm.bf16Wire(spec) ? "-bf16" : "");
      for (int mib : sizesMiB) {
        ByteBuffer data = ByteBuffer.allocateDirect(mib << 20);
        for (int i = 0; i < warmUpCalls(mib); i++) {
          algorithm.allReduceGradients(data, false); // the JIT compiles the ring loop; TCP windows open
        }
        int repetitions = timedCalls(mib, leastRepetitions);
        group.barrier();
        long cpuStart = cpuNanos();
        long start = System.nanoTime();
        for (int i = 0; i < repetitions; i++) {
          algorithm.allReduceGradients(data, false);
        }
        double seconds = (System.nanoTime() - start) / 1e9 / repetitions;
        double cpu = (cpuNanos() - cpuStart) / 1e9 / repetitions;
        double[][] gathered = group.allGather(new double[] {seconds, cpu});
        double slowest = Arrays.stream(gathered).mapToDouble(t -> t[0]).max().orElseThrow();
        double cpuSum = Arrays.stream(gathered).mapToDouble(t -> t[1]).sum();
        if (group.rank() == 0) {
          double algbw = data.capacity() / slowest / 1e9;
          double busbw = algbw * 2 * (nproc - 1) / nproc;
          System.out.printf("%s,%d,%d,%.6f,%.3f,%.3f,%.6f%n", impl, nproc, data.capacity(), slowest,
              algbw, busbw, cpuSum);
        }
      }
    }
  }
}
