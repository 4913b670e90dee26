package dev.contrastive.trainer.dist;

import dev.contrastive.api.spec.DistributedSpec;
import dev.contrastive.trainer.device.PlacementException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;

/**
 * How the gradient buckets are all-reduced: one flat ring over every process, or two levels (the
 * processes of a node first, one ring across nodes, then back within the node). Chosen by
 * {@value #VARIABLE}: {@code auto} (two-level when the gang has several nodes of several
 * processes), {@code flat} or {@code two-level}.
 */
public interface AllReduceAlgorithm extends AutoCloseable {

  String VARIABLE = "CONTRASTIVE_ALLREDUCE";

  /**
   * Sums (or averages over all processes) native-order fp32 values between position and limit,
   * in place; every process ends with bit-identical values.
   */
  void allReduce(ByteBuffer floats, boolean average);

  /**
   * As {@link #allReduce}, for gradients only: where distributed.allReducePrecision is bf16 they go
   * bf16 on the wire. Other sums (synchronised BatchNorm statistics, global negatives) stay fp32.
   */
  default void allReduceGradients(ByteBuffer floats, boolean average) {
    allReduce(floats, average);
  }

  /** For logs: {@code flat ring of 4} or {@code two-level: 2 nodes x 2 processes}. */
  String describe();

  @Override
  default void close() {}

  /** The flat ring of {@code group}, fp32 on the wire. */
  static AllReduceAlgorithm flat(ProcessGroup group) {
    return flat(group, false);
  }

  /** The flat ring of {@code group}; {@code bf16Wire}: see {@link ProcessGroup#allReduceBf16}. */
  static AllReduceAlgorithm flat(ProcessGroup group, boolean bf16Wire) {
    return new AllReduceAlgorithm() {
      @Override
      public void allReduce(ByteBuffer floats, boolean average) {
        group.allReduce(floats, average);
      }

      @Override
      public void allReduceGradients(ByteBuffer floats, boolean average) {
        if (bf16Wire) {
          group.allReduceBf16(floats, average);
        } else {
          group.allReduce(floats, average);
        }
      }

      @Override
      public String describe() {
        return "flat ring of " + group.worldSize() + (bf16Wire ? ", bf16 on the wire" : "");
      }
    };
  }

  /** Whether {@code spec.allReducePrecision} asks for bf16 on the wire (the schema allows fp32 or bf16). */
  static boolean bf16Wire(DistributedSpec spec) {
    return "bf16".equals(spec.allReducePrecision);
  }

  /**
   * The algorithm {@value #VARIABLE} asks for; two-level forms its rings now, so every process of
   * the gang must call this at the same point.
   */
  static AllReduceAlgorithm open(ProcessGroup group, Map<String, String> env, DistributedSpec spec) {
    String setting = env.getOrDefault(VARIABLE, "auto").trim().toLowerCase(Locale.ROOT);
    if (!setting.equals("auto") && !setting.equals("flat") && !setting.equals("two-level")) {
      throw new PlacementException(VARIABLE + "=" + env.get(VARIABLE)
          + " is not allowed; use auto, flat or two-level");
    }
    boolean bf16Wire = bf16Wire(spec);
    if (group.worldSize() == 1 || setting.equals("flat")) {
      return flat(group, bf16Wire);
    }
    WorkerEnvironment worker = WorkerEnvironment.fromEnvironment(env, spec.port);
    NodeLayout layout = NodeLayout.fromEnvironment(env, worker.rank(), worker.worldSize());
    if (layout.processesPerNode() == 1 || layout.nodes(group.worldSize()) == 1) {
      return flat(group, bf16Wire); // one level only: the flat ring is that level
    }
    return TwoLevelAllReduce.open(group, worker, layout, spec, bf16Wire);
  }
}
