package dev.contrastive.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import dev.contrastive.trainer.engine.Autograd;
import dev.contrastive.trainer.model.NormSequence;
import dev.contrastive.trainer.model.SyncBatchNorm;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * architecture.syncBatchNorm: W ranks x B images through BatchNorms over the gang's batch give the
 * gradients and running statistics of one process with the W x B images (BatchNorm over all of
 * them), as torch.nn.SyncBatchNorm; every rank holds the same running statistics. Per-rank
 * statistics (syncBatchNorm off) must not pass.
 */
class SyncBatchNormTest {

  private static final int BATCH = 3;
  private static final int SIZE = 4;
  /** Relative to the norm of all gradients: float sums in another order. */
  private static final double GRADIENT_TOLERANCE = 1e-5;
  private static final double STATISTICS_TOLERANCE = 1e-5;

  private record Result(List<float[]> gradients, List<float[]> statistics) {}

  @ParameterizedTest(name = "{0} nodes x {1} processes, synchronised: {2}")
  @CsvSource({"2, 1, true", "2, 2, true", "2, 1, false"})
  void ranksGetTheGradientsAndStatisticsOfOneProcessOnTheWholeBatch(int nodes, int perNode, boolean sync) {
    int world = nodes * perNode;
    List<Float> start = startValues();
    List<Result> ranks = LocalGang.runWithPort(world, 1 << 16, (group, port) -> {
      if (perNode == 1) {
        return rank(group, AllReduceAlgorithm.flat(group), start, sync);
      }
      try (TwoLevelAllReduce twoLevel = TwoLevelAllReduceTest.twoLevel(group, perNode, port)) {
        return rank(group, twoLevel, start, sync);
      }
    });
    Result reference = oneProcess(world, start);

    for (Result rank : ranks) {
      for (int p = 0; p < reference.statistics().size() && sync; p++) {
        assertThat(rank.statistics().get(p)).isEqualTo(ranks.get(0).statistics().get(p));
      }
    }
    double gradients = relativeDifference(ranks.get(0).gradients(), reference.gradients());
    double statistics = relativeDifference(ranks.get(0).statistics(), reference.statistics());
    if (sync) {
      assertThat(gradients).isLessThanOrEqualTo(GRADIENT_TOLERANCE);
      assertThat(statistics).isLessThanOrEqualTo(STATISTICS_TOLERANCE);
    } else {
      assertThat(gradients).isGreaterThan(100 * GRADIENT_TOLERANCE);
    }
  }

  private static Result rank(ProcessGroup group, AllReduceAlgorithm algorithm, List<Float> start, boolean sync) {
    GradientAllReducer reducer = new GradientAllReducer(group, dev.contrastive.trainer.device.HostTransfer.ZERO_COPY, algorithm);
    CrossRankSums sums = new CrossRankSums(group, algorithm);
    try (NDManager manager = NDManager.newBaseManager()) {
      SequentialBlock block = model(manager, start);
      PairList<String, Object> params = new PairList<>();
      if (sync) {
        params.add(SyncBatchNorm.KEY, sums);
      }
      try (NDManager step = manager.newSubManager(); Autograd recording = Autograd.record()) {
        sums.begin(step);
        NDArray loss = loss(block, step, group.rank() * BATCH, BATCH, params);
        sums.backward(loss);
      }
      reducer.allReduceGradients(block.getParameters());
      return snapshot(block.getParameters());
    }
  }

  /** Mean of the ranks' losses = the loss over all images, as each rank's batch is equally large. */
  private static Result oneProcess(int world, List<Float> start) {
    try (NDManager manager = NDManager.newBaseManager()) {
      SequentialBlock block = model(manager, start);
      try (NDManager step = manager.newSubManager(); Autograd recording = Autograd.record()) {
        Autograd.backward(loss(block, step, 0, world * BATCH, null));
      }
      return snapshot(block.getParameters());
    }
  }

  /** Mean squared distance of the outputs of images {@code from ..} from their targets. */
  private static NDArray loss(SequentialBlock block, NDManager manager, int from, int count, PairList<String, Object> params) {
    float[] x = new float[count * 3 * SIZE * SIZE];
    float[] y = new float[count * 2];
    for (int i = 0; i < count; i++) {
      SplittableRandom random = new SplittableRandom(100 + from + i);
      for (int k = 0; k < 3 * SIZE * SIZE; k++) {
        x[i * 3 * SIZE * SIZE + k] = (float) random.nextGaussian() + 0.5f; // a mean for the norms to remove
      }
      y[2 * i] = (float) random.nextGaussian();
      y[2 * i + 1] = (float) random.nextGaussian();
    }
    NDArray input = manager.create(x, new Shape(count, 3, SIZE, SIZE));
    NDArray output = block.forward(new ParameterStore(manager, false), new NDList(input), true, params).singletonOrThrow();
    return output.sub(manager.create(y, new Shape(count, 2))).square().mean();
  }

  /** Convolution, BatchNorm over (N, H, W), ReLU, then a linear layer with BatchNorm over N. */
  private static SequentialBlock model(NDManager manager, List<Float> start) {
    SequentialBlock block = new NormSequence()
        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(16).optBias(false).build())
        .add(BatchNorm.builder().build())
        .add(ai.djl.nn.Activation::relu)
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(8).optBias(false).build())
        .add(BatchNorm.builder().build())
        .add(ai.djl.nn.Activation::tanh)
        .add(Linear.builder().setUnits(2).build());
    block.initialize(manager, DataType.FLOAT32, new Shape(BATCH, 3, SIZE, SIZE));
    if (start != null) {
      int k = 0;
      for (Pair<String, Parameter> entry : block.getParameters()) {
        FloatBuffer values = floats(entry.getValue().getArray());
        for (int i = 0; i < values.limit(); i++) {
          values.put(i, start.get(k++));
        }
      }
    }
    return block;
  }

  private static List<Float> startValues() {
    List<Float> values = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager()) {
      SplittableRandom random = new SplittableRandom(7);
      for (Pair<String, Parameter> entry : model(manager, null).getParameters()) {
        String name = entry.getKey();
        long n = entry.getValue().getArray().size();
        for (long i = 0; i < n; i++) {
          // BatchNorm scales near 1, running variances 1, the rest small and random
          values.add(name.endsWith("gamma") || name.endsWith("runningVar") ? 1f + 0.1f * (float) random.nextGaussian()
              : name.endsWith("runningMean") ? 0f : 0.3f * (float) random.nextGaussian());
        }
      }
    }
    return values;
  }

  /** Gradients of the trainable parameters, values of the others (running statistics). */
  private static Result snapshot(ParameterList parameters) {
    List<float[]> gradients = new ArrayList<>();
    List<float[]> statistics = new ArrayList<>();
    for (Pair<String, Parameter> entry : parameters) {
      NDArray array = entry.getValue().getArray();
      if (entry.getValue().requiresGradient()) {
        try (NDArray gradient = array.getGradient()) {
          gradients.add(gradient.toFloatArray());
        }
      } else {
        statistics.add(array.toFloatArray());
      }
    }
    return new Result(gradients, statistics);
  }

  private static double relativeDifference(List<float[]> actual, List<float[]> expected) {
    double difference = 0;
    double norm = 0;
    for (int p = 0; p < expected.size(); p++) {
      for (int i = 0; i < expected.get(p).length; i++) {
        double d = (double) actual.get(p)[i] - expected.get(p)[i];
        difference += d * d;
        norm += (double) expected.get(p)[i] * expected.get(p)[i];
      }
    }
    return Math.sqrt(difference / norm);
  }

  private static FloatBuffer floats(NDArray array) {
    return array.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }
}
