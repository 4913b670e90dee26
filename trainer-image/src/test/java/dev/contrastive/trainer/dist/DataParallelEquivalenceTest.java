package dev.contrastive.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import dev.contrastive.trainer.device.HostTransfer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * W ranks with batch B each, gradients averaged by the ring, must train exactly like one process
 * whose loss is the mean of the W per-rank losses over the same partition of the data, on both
 * host-transfer paths (staging is the GPU's path, forced here on the CPU).
 */
class DataParallelEquivalenceTest {

  private static final int BATCH = 4;
  private static final int FEATURES = 5;
  private static final int STEPS = 3;
  private static final float LEARNING_RATE = 0.1f;
  /** DJL allows one gradient collector per JVM at a time; real workers are separate JVMs. */
  static final Object COLLECTOR = new Object();

  @ParameterizedTest(name = "{0} nodes x {1} processes, {2}")
  @CsvSource({"2, 1, ZERO_COPY", "3, 1, ZERO_COPY", "2, 1, STAGING", "3, 1, STAGING",
      "2, 2, ZERO_COPY", "2, 2, STAGING"})
  void ranksEndWithTheParametersOfOneProcessAveragingTheirLosses(
      int nodes, int perNode, HostTransfer transfer) {
    int world = nodes * perNode;
    // a 256-byte bucket: tensors span buckets, so partial copies are exercised too; several
    // processes per node all-reduce in two levels
    List<List<float[]>> ranks = LocalGang.runWithPort(world, 256, (group, port) -> {
      if (perNode == 1) {
        return trainRank(group, world, new GradientAllReducer(group, transfer));
      }
      try (TwoLevelAllReduce twoLevel = TwoLevelAllReduceTest.twoLevel(group, perNode, port)) {
        return trainRank(group, world, new GradientAllReducer(group, transfer, twoLevel));
      }
    });
    List<float[]> reference = trainReference(world);

    for (List<float[]> rank : ranks) {
      for (int p = 0; p < reference.size(); p++) {
        assertThat(rank.get(p)).isEqualTo(ranks.get(0).get(p));
        for (int i = 0; i < reference.get(p).length; i++) {
          float expected = reference.get(p)[i];
          assertThat(Math.abs(rank.get(p)[i] - expected))
              .isLessThanOrEqualTo(1e-6f * Math.max(1f, Math.abs(expected)));
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} ranks")
  @CsvSource({"2", "3"})
  void stagingTrainsBitIdenticallyToTheZeroCopyViews(int world) {
    List<List<float[]>> zeroCopy =
        LocalGang.run(world, 256, group ->
            trainRank(group, world, new GradientAllReducer(group, HostTransfer.ZERO_COPY)));
    List<List<float[]>> staging =
        LocalGang.run(world, 256, group ->
            trainRank(group, world, new GradientAllReducer(group, HostTransfer.STAGING)));

    for (int rank = 0; rank < world; rank++) {
      for (int p = 0; p < zeroCopy.get(rank).size(); p++) {
        assertThat(staging.get(rank).get(p)).isEqualTo(zeroCopy.get(rank).get(p));
      }
    }
  }

  private static List<float[]> trainRank(ProcessGroup group, int world, GradientAllReducer reducer) {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = model(manager);
      ParameterList parameters = block.getParameters();
      if (group.rank() == 0) {
        setKnownValues(parameters); // the other ranks keep their random init until the broadcast
      }
      reducer.broadcastParameters(parameters);
      for (int step = 0; step < STEPS; step++) {
        try (NDManager stepManager = manager.newSubManager()) {
          synchronized (COLLECTOR) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
              collector.backward(loss(block, stepManager, step, group.rank()));
            }
          }
        }
        reducer.allReduceGradients(parameters);
        sgdStep(parameters);
      }
      return snapshot(parameters);
    }
  }

  private static List<float[]> trainReference(int world) {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = model(manager);
      ParameterList parameters = block.getParameters();
      setKnownValues(parameters);
      for (int step = 0; step < STEPS; step++) {
        try (NDManager stepManager = manager.newSubManager()) {
          synchronized (COLLECTOR) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
              NDArray total = loss(block, stepManager, step, 0);
              for (int rank = 1; rank < world; rank++) {
                total = total.add(loss(block, stepManager, step, rank));
              }
              collector.backward(total.div(world));
            }
          }
        }
        sgdStep(parameters);
      }
      return snapshot(parameters);
    }
  }

  static Block model(NDManager manager) {
    Block block = new SequentialBlock()
        .add(Linear.builder().setUnits(8).build())
        .add(Activation::tanh)
        .add(Linear.builder().setUnits(1).build());
    block.initialize(manager, DataType.FLOAT32, new Shape(BATCH, FEATURES));
    return block;
  }

  /** Mean squared error on rank {@code rank}'s part of step {@code step}'s global batch. */
  static NDArray loss(Block block, NDManager manager, int step, int rank) {
    SplittableRandom random = new SplittableRandom(1000L * step + rank);
    float[] x = new float[BATCH * FEATURES];
    float[] y = new float[BATCH];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = (float) random.nextGaussian();
    }
    NDArray input = manager.create(x, new Shape(BATCH, FEATURES));
    NDArray prediction = block.forward(new ParameterStore(manager, false), new NDList(input), true)
        .singletonOrThrow();
    return prediction.reshape(BATCH).sub(manager.create(y)).square().mean();
  }

  static void setKnownValues(ParameterList parameters) {
    int p = 0;
    for (Pair<String, Parameter> entry : parameters) {
      FloatBuffer values = floats(entry.getValue().getArray());
      for (int i = 0; i < values.limit(); i++) {
        values.put(i, (float) Math.sin(1.3 * i + p) * 0.5f);
      }
      p++;
    }
  }

  /** Plain SGD in place through the zero-copy views; zeroes the gradient for the next step. */
  static void sgdStep(ParameterList parameters) {
    for (Pair<String, Parameter> entry : parameters) {
      NDArray array = entry.getValue().getArray();
      try (NDArray gradient = array.getGradient()) {
        FloatBuffer values = floats(array);
        FloatBuffer grads = floats(gradient);
        for (int i = 0; i < values.limit(); i++) {
          values.put(i, values.get(i) - LEARNING_RATE * grads.get(i));
          grads.put(i, 0f);
        }
      }
    }
  }

  static List<float[]> snapshot(ParameterList parameters) {
    List<float[]> values = new ArrayList<>();
    for (Pair<String, Parameter> entry : parameters) {
      FloatBuffer view = floats(entry.getValue().getArray());
      float[] copy = new float[view.limit()];
      view.get(0, copy);
      values.add(copy);
    }
    return values;
  }

  private static FloatBuffer floats(NDArray array) {
    return array.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }
}
