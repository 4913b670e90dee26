package dev.contrastive.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.ParameterList;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import dev.contrastive.trainer.engine.Autograd;
import dev.contrastive.trainer.loss.GlobalNegatives;
import dev.contrastive.trainer.loss.NtXentLoss;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * loss.negatives=global: W ranks x B images, each rank's anchors scored against the gathered
 * projections of all ranks and the gradient sent back through {@link CrossRankSums}, train like
 * one process with the W x B images of each step (NT-Xent over all 2WB projections). A model
 * without BatchNorm, so the negatives are the only thing that couples the ranks. Local negatives
 * (each rank's own 2B) must not pass: that is what makes the comparison worth something.
 */
class GlobalNegativesTest {

  private static final int BATCH = 3;
  private static final int FEATURES = 5;
  private static final int STEPS = 3;
  private static final NtXentLoss LOSS = new NtXentLoss(0.5);
  /** Largest relative difference of a step's loss from the one-process loss. */
  private static final double LOSS_TOLERANCE = 1e-5;
  /**
   * Largest |update - reference update| / |reference update| (updates: parameters after STEPS
   * steps minus the start): float sums in another order, not an absolute bound on values near 0.
   */
  private static final double UPDATE_TOLERANCE = 1e-4;

  private record Trained(double[] losses, List<float[]> parameters) {}

  @ParameterizedTest(name = "{0} nodes x {1} processes, global negatives: {2}")
  @CsvSource({"2, 1, true", "2, 2, true", "2, 1, false"})
  void ranksTrainLikeOneProcessOnTheWholeBatchOnlyWithGlobalNegatives(int nodes, int perNode, boolean global) {
    int world = nodes * perNode;
    List<Trained> ranks = LocalGang.runWithPort(world, 256, (group, port) -> {
      if (perNode == 1) {
        return trainRank(group, AllReduceAlgorithm.flat(group), global);
      }
      try (TwoLevelAllReduce twoLevel = TwoLevelAllReduceTest.twoLevel(group, perNode, port)) {
        return trainRank(group, twoLevel, global);
      }
    });
    Trained reference = trainOneProcess(world);
    List<float[]> start = initial();

    double lossDifference = 0;
    for (int step = 0; step < STEPS; step++) {
      double expected = reference.losses()[step];
      lossDifference = Math.max(lossDifference, Math.abs(ranks.get(0).losses()[step] - expected) / Math.abs(expected));
    }
    double updateDifference = relativeUpdateDifference(start, ranks.get(0).parameters(), reference.parameters());
    for (Trained rank : ranks) {
      for (int p = 0; p < start.size(); p++) {
        assertThat(rank.parameters().get(p)).isEqualTo(ranks.get(0).parameters().get(p));
      }
    }
    if (global) {
      assertThat(lossDifference).isLessThanOrEqualTo(LOSS_TOLERANCE);
      assertThat(updateDifference).isLessThanOrEqualTo(UPDATE_TOLERANCE);
    } else {
      // each rank's loss sees 2B - 1 candidates instead of 2WB - 1: another objective
      assertThat(lossDifference).isGreaterThan(100 * LOSS_TOLERANCE);
      assertThat(updateDifference).isGreaterThan(100 * UPDATE_TOLERANCE);
    }
  }

  private static Trained trainRank(ProcessGroup group, AllReduceAlgorithm algorithm, boolean global) {
    GradientAllReducer reducer = new GradientAllReducer(group, dev.contrastive.trainer.device.HostTransfer.ZERO_COPY, algorithm);
    CrossRankSums sums = new CrossRankSums(group, algorithm);
    GlobalNegatives negatives = new GlobalNegatives(LOSS, sums);
    double[] losses = new double[STEPS];
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = model(manager);
      ParameterList parameters = block.getParameters();
      DataParallelEquivalenceTest.setKnownValues(parameters);
      for (int step = 0; step < STEPS; step++) {
        try (NDManager stepManager = manager.newSubManager()) {
          NDArray[] views = views(stepManager, step, group.rank() * BATCH, BATCH);
          float loss;
          try (Autograd recording = Autograd.record()) {
            sums.begin(stepManager);
            NDArray z = project(block, stepManager, views);
            NDArray view1 = z.get("0:" + BATCH);
            NDArray view2 = z.get(BATCH + ":");
            NDArray l = global ? negatives.compute(view1, view2) : LOSS.compute(view1, view2);
            if (global) {
              sums.backward(l);
            } else {
              Autograd.backward(l);
            }
            loss = l.getFloat();
          }
          double[][] all = group.allGather(new double[] {loss});
          double mean = 0;
          for (double[] value : all) {
            mean += value[0] / all.length;
          }
          losses[step] = mean;
        }
        reducer.allReduceGradients(parameters);
        DataParallelEquivalenceTest.sgdStep(parameters);
      }
      return new Trained(losses, DataParallelEquivalenceTest.snapshot(parameters));
    }
  }

  private static Trained trainOneProcess(int world) {
    double[] losses = new double[STEPS];
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = model(manager);
      ParameterList parameters = block.getParameters();
      DataParallelEquivalenceTest.setKnownValues(parameters);
      int images = world * BATCH;
      for (int step = 0; step < STEPS; step++) {
        try (NDManager stepManager = manager.newSubManager(); Autograd recording = Autograd.record()) {
          NDArray z = project(block, stepManager, views(stepManager, step, 0, images));
          NDArray l = LOSS.compute(z.get("0:" + images), z.get(images + ":"));
          Autograd.backward(l);
          losses[step] = l.getFloat();
        }
        DataParallelEquivalenceTest.sgdStep(parameters);
      }
      return new Trained(losses, DataParallelEquivalenceTest.snapshot(parameters));
    }
  }

  private static List<float[]> initial() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ParameterList parameters = model(manager).getParameters();
      DataParallelEquivalenceTest.setKnownValues(parameters);
      return DataParallelEquivalenceTest.snapshot(parameters);
    }
  }

  static double relativeUpdateDifference(List<float[]> start, List<float[]> actual, List<float[]> expected) {
    double difference = 0;
    double norm = 0;
    for (int p = 0; p < start.size(); p++) {
      for (int i = 0; i < start.get(p).length; i++) {
        double expectedUpdate = (double) expected.get(p)[i] - start.get(p)[i];
        double actualUpdate = (double) actual.get(p)[i] - start.get(p)[i];
        difference += (actualUpdate - expectedUpdate) * (actualUpdate - expectedUpdate);
        norm += expectedUpdate * expectedUpdate;
      }
    }
    return Math.sqrt(difference / norm);
  }

  private static Block model(NDManager manager) {
    Block block = new SequentialBlock()
        .add(Linear.builder().setUnits(6).build())
        .add(Activation::tanh)
        .add(Linear.builder().setUnits(4).build());
    block.initialize(manager, DataType.FLOAT32, new Shape(2 * BATCH, FEATURES));
    return block;
  }

  /** Projections of both views in one forward, first views first. */
  private static NDArray project(Block block, NDManager manager, NDArray[] views) {
    return block.forward(new ParameterStore(manager, false), new NDList(views[0].concat(views[1], 0)), true)
        .singletonOrThrow();
  }

  /** Images {@code from .. from + count - 1} of step {@code step}'s global batch, two views each. */
  private static NDArray[] views(NDManager manager, int step, int from, int count) {
    NDArray[] views = new NDArray[2];
    for (int v = 0; v < 2; v++) {
      float[] x = new float[count * FEATURES];
      for (int i = 0; i < count; i++) {
        SplittableRandom random = new SplittableRandom(1000L * step + 10L * (from + i) + v);
        for (int f = 0; f < FEATURES; f++) {
          x[i * FEATURES + f] = (float) random.nextGaussian();
        }
      }
      views[v] = manager.create(x, new Shape(count, FEATURES));
    }
    return views;
  }
}
