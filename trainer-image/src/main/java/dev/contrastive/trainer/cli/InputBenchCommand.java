package dev.contrastive.trainer.cli;

import ai.djl.ndarray.NDManager;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.augment.SimClrAugmenter;
import dev.contrastive.trainer.data.DatasetSplits;
import dev.contrastive.trainer.data.Datasets;
import dev.contrastive.trainer.data.EncodedImages;
import dev.contrastive.trainer.data.EpochShards;
import dev.contrastive.trainer.data.LabelledImages;
import dev.contrastive.trainer.data.Prefetcher;
import dev.contrastive.trainer.data.TrainBatch;
import dev.contrastive.trainer.data.TrainLoader;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Times the training loader alone: read, decode, the SimCLR augmentations of two views, batched,
 * on {@code dataset.loaderThreads} threads, with no training step consuming the batches (so the
 * figure is what the loader can feed; {@code views=} says whether each view's crop was decoded and
 * augmented per image or the stored squares augmented batched), in the line format of {@code bench/input_pipeline_torchvision.py}.
 * Besides wall-clock images/s it reports images per CPU second of the process, the per-core cost
 * that a loaded machine does not distort, and the decoding alone on one thread.
 */
@Command(name = "bench-input", mixinStandardHelpOptions = true,
    description = "Time the training loader (decode + augmentations, two views): images/s with dataset.loaderThreads"
        + " threads.")
final class InputBenchCommand extends TimingCommand {

  @Option(names = "--batches", defaultValue = "8", description = "Timed batches (default 8).")
  int batches;

  @Option(names = "--warmup", defaultValue = "2", description = "Untimed batches first (default 2).")
  int warmup;

  @Override
  public Integer call() {
    require(batches >= 1 && warmup >= 0, "--batches must be >= 1 and --warmup >= 0; got " + batches + ", " + warmup);
    ContrastiveTrainingRunSpec spec = spec();
    long seed = spec.trainer.seed;
    int threads = spec.dataset.loaderThreads == null ? 2 : spec.dataset.loaderThreads;
    int batch = spec.trainer.batchSizePerWorker;
    DatasetSplits splits = Datasets.open(spec.dataset, seed);
    EpochShards shards = EpochShards.of(splits.train(), batch, 0, 1, seed);
    require(shards.stepsPerEpoch() >= warmup + batches, "dataset: " + shards.stepsPerEpoch() + " batches of "
        + batch + " per epoch, fewer than --warmup + --batches = " + (warmup + batches));
    double seconds;
    double cpuSeconds;
    SimClrAugmenter augmenter = new SimClrAugmenter(
        spec.augmentation, spec.dataset.imageSize, splits.stats().mean(), splits.stats().std());
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainLoader loader = new TrainLoader(splits.train(), shards, augmenter, manager, seed, threads, threads + 2);
      try (Prefetcher<TrainBatch> warm = loader.epoch(0, 0, warmup)) {
        drain(warm);
      }
      long cpuStart = processCpuNanos();
      long start = System.nanoTime();
      try (Prefetcher<TrainBatch> timed = loader.epoch(0, warmup, warmup + batches)) {
        drain(timed);
      }
      seconds = (System.nanoTime() - start) / 1e9;
      cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
    }
    int images = batch * batches;
    root.out.println(String.format(Locale.ROOT,
        "loader=trainer decoder=%s workers=%d batch=%d image=%d batches=%d images_per_second=%.1f"
            + " images_per_cpu_second=%.1f decode_only_images_per_cpu_second=%.1f views=%s isa=%s",
        EncodedImages.decoderName(), threads, batch, spec.dataset.imageSize, batches, images / seconds,
        images / cpuSeconds, decodeRate(splits, augmenter, seed, images),
        EncodedImages.cropsAtDecode(splits.train()) ? "per-image" : "batched", isa()));
    return ExitCodes.OK;
  }

  /**
   * Images per CPU second of reading and decoding alone, one thread, as the loader decodes: one
   * random crop per image for encoded images with OpenCV, else the stored square.
   */
  private static double decodeRate(DatasetSplits splits, SimClrAugmenter augmenter, long seed, int images) {
    LabelledImages train = splits.train();
    boolean crops = EncodedImages.cropsAtDecode(train);
    byte[] target = new byte[train.bytesPerImage()];
    int count = Math.min(images, train.size());
    SplittableRandom[] randoms = SimClrAugmenter.randomsFor(seed, 0, IntStream.range(0, count).toArray());
    long start = threadCpuNanos();
    for (int i = 0; i < count; i++) {
      if (crops) {
        EncodedImages.decodeCrop(train.encoded(i), augmenter.crop(), randoms[i]).release();
      } else {
        train.readInto(i, target, 0);
      }
    }
    return count / ((threadCpuNanos() - start) / 1e9);
  }

  /** CPU time of the whole JVM (loader threads, libtorch's, JIT and GC): robust to a loaded machine. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long threadCpuNanos() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  private static void drain(Prefetcher<TrainBatch> batches) {
    while (batches.hasNext()) {
      batches.next().close();
    }
  }
}
