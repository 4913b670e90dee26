package dev.contrastive.trainer.dist;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.contrastive.api.spec.OptimizerSpec;
import dev.contrastive.trainer.device.Placement;
import dev.contrastive.trainer.device.TensorWindow;
import dev.contrastive.trainer.optim.Optimizers;
import dev.contrastive.trainer.optim.ParameterOptimizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Data parallelism proven on this process's own device (a GPU where there is one): W ranks train a
 * small convolutional net on their slices of each step's global batch, exchanging gradients
 * through the run's host transfer and all-reduce, and must end where one process ends that trains
 * on the whole global batch (mean of the W slice losses) from the same start; the replica check
 * also runs. This is the check that fails when an exchange writes into a copy instead of the
 * device tensor (ranks drift apart, or never move from their own start).
 */
public final class DataParallelCheck {

  /** Largest allowed difference, relative to max(1, |value|), from the one-process reference. */
  public static final double TOLERANCE = 1e-5;

  static final int STEPS = 3;
  private static final int BATCH = 4;
  private static final int CHANNELS = 16; // >= 16: narrower convolutions are not deterministic on AVX-512
  private static final int SIZE = 8;
  private static final float LEARNING_RATE = 0.05f;
  /** DJL allows one gradient collector per JVM at a time (tests run ranks as threads). */
  private static final Object COLLECTOR = new Object();

  /** Every rank's outcome: same values on all ranks. */
  public record Result(int ranks, double largestDifference, ReplicaCheck.Compared compared) {

    public boolean passed() {
      return largestDifference <= TOLERANCE;
    }

    /** One line: what was compared and by how much it differed. */
    public String describe() {
      return String.format(Locale.ROOT, "%d ranks, %d steps: largest difference from one process on the global"
          + " batch %.3g (limit %.0e); replica check: %s identical on all ranks", ranks, STEPS,
          largestDifference, TOLERANCE, compared);
    }
  }

  private DataParallelCheck() {}

  /** Runs the check on every rank of {@code group}; every rank must call it. */
  public static Result run(ProcessGroup group, Placement placement, AllReduceAlgorithm algorithm) {
    GradientAllReducer exchange = new GradientAllReducer(group, placement.transfer(), algorithm);
    ReplicaCheck replicas = new ReplicaCheck(group, placement.transfer(), true);
    try (NDManager manager = placement.newManager()) {
      Block block = model(manager);
      ParameterList parameters = block.getParameters();
      if (group.rank() == 0) {
        setKnownValues(parameters, placement, manager); // the others start from their own random values
      }
      exchange.broadcastParameters(parameters);
      replicas.verify(parameters, "after the start-up broadcast");
      try (ParameterOptimizer sgd = sgd(manager)) {
        for (int step = 0; step < STEPS; step++) {
          backward(block, manager, step, List.of(group.rank()), 1);
          exchange.allReduceGradients(parameters);
          sgd.step(parameters, LEARNING_RATE);
        }
      }
      ReplicaCheck.Compared compared = replicas.verify(parameters, "after " + STEPS + " steps");
      double difference = group.rank() == 0 ? differenceFromOneProcess(parameters, group.worldSize(), placement)
          : 0;
      return new Result(group.worldSize(), group.allGather(new double[] {difference})[0][0], compared);
    }
  }

  /** One process, same start, loss = mean of every rank's slice loss: where the ranks must be. */
  private static double differenceFromOneProcess(ParameterList trained, int world, Placement placement) {
    List<Integer> allRanks = new ArrayList<>();
    for (int r = 0; r < world; r++) {
      allRanks.add(r);
    }
    try (NDManager manager = placement.newManager()) {
      Block block = model(manager);
      ParameterList reference = block.getParameters();
      setKnownValues(reference, placement, manager);
      try (ParameterOptimizer sgd = sgd(manager)) {
        for (int step = 0; step < STEPS; step++) {
          backward(block, manager, step, allRanks, world);
          sgd.step(reference, LEARNING_RATE);
        }
      }
      double largest = 0;
      for (int p = 0; p < reference.size(); p++) {
        float[] expected = read(reference.get(p), placement, manager);
        float[] actual = read(trained.get(p), placement, manager);
        for (int i = 0; i < expected.length; i++) {
          double difference = Math.abs(actual[i] - expected[i]) / Math.max(1.0, Math.abs(expected[i]));
          largest = Double.isNaN(difference) ? Double.POSITIVE_INFINITY : Math.max(largest, difference);
        }
      }
      return largest;
    }
  }

  private static Block model(NDManager manager) {
    Block block = new SequentialBlock()
        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(CHANNELS).build())
        .add(Activation::relu)
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(32).build())
        .add(Activation::tanh)
        .add(Linear.builder().setUnits(4).build());
    block.initialize(manager, DataType.FLOAT32, new Shape(BATCH, 3, SIZE, SIZE));
    return block;
  }

  /** Backward of the mean of the slice losses of {@code ranks} (a rank's own: one slice). */
  private static void backward(Block block, NDManager manager, int step, List<Integer> ranks, int divisor) {
    try (NDManager stepManager = manager.newSubManager()) {
      synchronized (COLLECTOR) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          NDArray total = null;
          for (int rank : ranks) {
            NDArray loss = sliceLoss(block, stepManager, step, rank);
            total = total == null ? loss : total.add(loss);
          }
          collector.backward(divisor == 1 ? total : total.div(divisor));
        }
      }
    }
  }

  /** Mean squared error on rank {@code rank}'s slice of step {@code step}'s global batch. */
  private static NDArray sliceLoss(Block block, NDManager manager, int step, int rank) {
    SplittableRandom random = new SplittableRandom(1000L * step + rank);
    float[] x = new float[BATCH * 3 * SIZE * SIZE];
    float[] y = new float[BATCH * 4];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = (float) random.nextGaussian();
    }
    NDArray input = manager.create(x, new Shape(BATCH, 3, SIZE, SIZE));
    NDArray prediction = block.forward(new ParameterStore(manager, false), new NDList(input), true)
        .singletonOrThrow();
    return prediction.sub(manager.create(y, new Shape(BATCH, 4))).square().mean();
  }

  private static ParameterOptimizer sgd(NDManager manager) {
    OptimizerSpec spec = new OptimizerSpec();
    spec.type = "sgd";
    spec.momentum = 0.0;
    spec.weightDecay = 0.0;
    return Optimizers.create(spec, manager);
  }

  /** Deterministic start values, written through the device-correct host transfer. */
  private static void setKnownValues(ParameterList parameters, Placement placement, NDManager manager) {
    int p = 0;
    for (Pair<String, Parameter> entry : parameters) {
      try (NDManager scope = manager.newSubManager()) {
        TensorWindow window = placement.transfer().window(entry.getKey(), entry.getValue().getArray(), scope);
        ByteBuffer bytes = ByteBuffer.allocateDirect(window.byteSize()).order(ByteOrder.nativeOrder());
        FloatBuffer values = bytes.asFloatBuffer();
        for (int i = 0; i < values.limit(); i++) {
          values.put(i, (float) Math.sin(1.3 * i + p) * 0.3f);
        }
        window.write(0, bytes);
      }
      p++;
    }
  }

  private static float[] read(Pair<String, Parameter> entry, Placement placement, NDManager manager) {
    try (NDManager scope = manager.newSubManager()) {
      TensorWindow window = placement.transfer().window(entry.getKey(), entry.getValue().getArray(), scope);
      ByteBuffer bytes = ByteBuffer.allocateDirect(window.byteSize()).order(ByteOrder.nativeOrder());
      window.read(0, bytes);
      float[] values = new float[window.byteSize() / Float.BYTES];
      bytes.asFloatBuffer().get(values);
      return values;
    }
  }
}
