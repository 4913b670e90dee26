package dev.contrastive.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.contrastive.api.config.ConfigOverrides;
import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.RunFiles;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.augment.SimClrAugmenter;
import dev.contrastive.trainer.data.DatasetSplits;
import dev.contrastive.trainer.data.EpochShards;
import dev.contrastive.trainer.data.SyntheticImages;
import dev.contrastive.trainer.data.TrainBatch;
import dev.contrastive.trainer.data.TrainLoader;
import dev.contrastive.trainer.device.HostTransfer;
import dev.contrastive.trainer.loss.GlobalNegatives;
import dev.contrastive.trainer.loss.NtXentLoss;
import dev.contrastive.trainer.model.SimClrModel;
import dev.contrastive.trainer.model.SyncBatchNorm;
import dev.contrastive.trainer.optim.Optimizers;
import dev.contrastive.trainer.optim.ParameterOptimizer;
import dev.contrastive.trainer.train.SimClrStep;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The proof of SimCLR at scale (#15): with the same seed, W ranks x B images per rank see at each
 * step exactly the images (and augmented views) of one process with W x B images, and with
 * {@code loss.negatives: global} and {@code architecture.syncBatchNorm: true} the mean of the
 * ranks' losses at every step and the parameters after K steps are the one process's: ResNet-18
 * (width 16) with its projection head, on 16 px images, through the trainer's own data loader,
 * step, gradient all-reduce (zero-copy and staging host transfer) and optimizer. W = 2 (flat ring)
 * and W = 4 (2 nodes x 2 processes, two-level all-reduce). Either half alone (local negatives, or
 * per-rank BatchNorm) must fail.
 *
 * <p>Tolerances, stated: a step's mean loss within {@value #LOSS_TOLERANCE} of the one-process loss
 * (relative), and the parameter updates (after K steps minus the start) within {@value
 * #UPDATE_TOLERANCE} of the one-process updates, relative to their norm. The sums are the same
 * sums in another order (all-reduce, BatchNorm statistics combined per rank), so equality is up to
 * float rounding, which the deep network and K steps amplify. Measured on an AVX-512 and an AVX2
 * (ONEDNN_MAX_CPU_ISA=AVX2) machine: the gang about 1e-6 from the one process in loss and updates,
 * what a 1e-7 relative change of the starting parameters moves the one process itself. The
 * learning rate is 0.002, not tiny.yaml's 0.05: with 16 images, 3 steps at larger rates are not
 * smooth in the start (at 0.01 on AVX2 a 1e-7 change of the start moves the one process's updates
 * by 2e-3; at 0.002 a 1e-7 change moves them by 1e-6, a 1e-6 change by 2e-3), and sums in another
 * order can land on either side.
 */
@Tag("slow") // 4 cases of 25-40 s each on a loaded 2-core machine
class ScaleEquivalenceTest {

  static final double LOSS_TOLERANCE = 1e-5;
  static final double UPDATE_TOLERANCE = 1e-4;
  private static final int BATCH = 4;
  private static final int STEPS = 3;
  private static final long SEED = 11;
  private static final int SIZE = 16;

  private static DatasetSplits data;
  private static List<float[]> start;

  private record Trained(double[] losses, List<int[]> images, List<float[]> parameters) {}

  @BeforeAll
  static void startingPoint() {
    data = SyntheticImages.generate(4, 64, 8, SIZE, SEED);
    try (NDManager manager = NDManager.newBaseManager()) {
      ContrastiveTrainingRunSpec spec = spec(true, true);
      SimClrModel model = SimClrModel.create(spec.architecture, SIZE);
      Engine.getInstance().setRandomSeed(3);
      model.initialize(manager, DataType.FLOAT32, new Shape(2, 3, SIZE, SIZE));
      start = snapshot(model);
    }
  }

  @ParameterizedTest(name = "{0} nodes x {1} processes, negatives {2}, syncBatchNorm {3}, {4} transfer")
  @CsvSource({"2, 1, global, true, ZERO_COPY", "2, 2, global, true, STAGING", "2, 1, local, true, ZERO_COPY",
      "2, 1, global, false, STAGING"})
  void ranksTrainExactlyLikeOneProcessOnTheirImagesTogether(
      int nodes, int perNode, String negatives, boolean sync, HostTransfer transfer) {
    int world = nodes * perNode;
    ContrastiveTrainingRunSpec spec = spec(negatives.equals("global"), sync);
    List<Trained> ranks = LocalGang.runWithPort(world, 1 << 16, (group, port) -> {
      if (perNode == 1) {
        return trainRank(spec, group, AllReduceAlgorithm.flat(group), transfer);
      }
      try (TwoLevelAllReduce twoLevel = TwoLevelAllReduceTest.twoLevel(group, perNode, port)) {
        return trainRank(spec, group, twoLevel, transfer);
      }
    });
    Trained reference = train(spec, world * BATCH, null, null, null);

    for (int step = 0; step < STEPS; step++) {
      int s = step;
      int[] together = ranks.stream().flatMapToInt(rank -> IntStream.of(rank.images().get(s))).toArray();
      assertThat(together).as("images of step %d", step).isEqualTo(reference.images().get(step));
    }
    List<String> names = names();
    for (Trained rank : ranks) {
      for (int p = 0; p < start.size(); p++) {
        if (sync || !names.get(p).contains("running")) { // per-rank BatchNorm keeps per-rank statistics
          assertThat(rank.parameters().get(p)).as(names.get(p)).isEqualTo(ranks.get(0).parameters().get(p));
        }
      }
    }
    double loss = 0;
    for (int step = 0; step < STEPS; step++) {
      loss = Math.max(loss, Math.abs(ranks.get(0).losses()[step] - reference.losses()[step]) / reference.losses()[step]);
    }
    double update = GlobalNegativesTest.relativeUpdateDifference(start, ranks.get(0).parameters(), reference.parameters());
    System.out.printf("%d ranks, negatives %s, syncBatchNorm %s: loss %.3g, update %.3g%n", world, negatives, sync, loss,
        update);
    if (negatives.equals("global") && sync) {
      assertThat(loss).isLessThanOrEqualTo(LOSS_TOLERANCE);
      assertThat(update).isLessThanOrEqualTo(UPDATE_TOLERANCE);
    } else {
      assertThat(update).isGreaterThan(10 * UPDATE_TOLERANCE);
    }
  }

  private static ContrastiveTrainingRunSpec spec(boolean global, boolean sync) {
    return ConfigResolver.resolve(ConfigOverrides.apply(
        RunFiles.load(Path.of("src/test/resources/runs/tiny.yaml")).getSpec(),
        List.of("loss.negatives=" + (global ? "global" : "local"), "architecture.syncBatchNorm=" + sync,
            "trainer.batchSizePerWorker=" + BATCH, "optimizer.lr=0.002")));
  }

  private static Trained trainRank(
      ContrastiveTrainingRunSpec spec, ProcessGroup group, AllReduceAlgorithm algorithm, HostTransfer transfer) {
    GradientAllReducer reducer = new GradientAllReducer(group, transfer, algorithm);
    return train(spec, BATCH, group, reducer, new CrossRankSums(group, algorithm));
  }

  /** K steps of the trainer's step on this rank's batches; losses are the mean over ranks. */
  private static Trained train(ContrastiveTrainingRunSpec spec, int batch, ProcessGroup group,
      GradientAllReducer reducer, CrossRankSums sums) {
    int rank = group == null ? 0 : group.rank();
    int world = group == null ? 1 : group.worldSize();
    double[] losses = new double[STEPS];
    List<int[]> images = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager()) {
      SimClrModel model = SimClrModel.create(spec.architecture, SIZE);
      model.initialize(manager, DataType.FLOAT32, new Shape(2, 3, SIZE, SIZE));
      load(model, start);
      try (ParameterOptimizer optimizer = Optimizers.create(spec.optimizer, manager)) {
        SimClrStep step = new SimClrStep(model, new NtXentLoss(spec.loss.temperature), optimizer, reducer)
            .withGlobalNegatives(sums != null && GlobalNegatives.wanted(spec.loss) ? sums : null)
            .withSyncBatchNorm(sums != null && SyncBatchNorm.wanted(spec.architecture) ? sums : null);
        SimClrAugmenter augmenter =
            new SimClrAugmenter(spec.augmentation, SIZE, data.stats().mean(), data.stats().std());
        TrainLoader loader = new TrainLoader(
            data.train(), new EpochShards(data.train().size(), batch, rank, world, SEED), augmenter, manager, SEED, 1, 1);
        for (int s = 0; s < STEPS; s++) {
          try (TrainBatch views = loader.make(0, s)) {
            images.add(views.indices());
            float loss = step.run(views.first(), views.second(), spec.optimizer.lr.floatValue());
            losses[s] = group == null ? loss : mean(group, loss);
          }
        }
      }
      return new Trained(losses, images, snapshot(model));
    }
  }

  private static double mean(ProcessGroup group, float loss) {
    double sum = 0;
    for (double[] value : group.allGather(new double[] {loss})) {
      sum += value[0];
    }
    return sum / group.worldSize();
  }

  private static List<String> names() {
    try (NDManager manager = NDManager.newBaseManager()) {
      SimClrModel model = SimClrModel.create(spec(true, true).architecture, SIZE);
      model.initialize(manager, DataType.FLOAT32, new Shape(2, 3, SIZE, SIZE));
      List<String> names = new ArrayList<>();
      for (Pair<String, Parameter> entry : model.getParameters()) {
        names.add(entry.getKey());
      }
      return names;
    }
  }

  private static List<float[]> snapshot(SimClrModel model) {
    List<float[]> values = new ArrayList<>();
    for (Pair<String, Parameter> entry : model.getParameters()) {
      values.add(entry.getValue().getArray().toFloatArray());
    }
    return values;
  }

  private static void load(SimClrModel model, List<float[]> values) {
    int p = 0;
    for (Pair<String, Parameter> entry : model.getParameters()) {
      NDArray array = entry.getValue().getArray();
      FloatBuffer view = array.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
      view.put(0, values.get(p++));
    }
  }
}
