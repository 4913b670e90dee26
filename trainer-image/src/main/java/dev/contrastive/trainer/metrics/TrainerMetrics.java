package dev.contrastive.trainer.metrics;

import dev.contrastive.trainer.train.Neighbours;
import dev.contrastive.trainer.train.StepStats;
import dev.contrastive.trainer.train.TrainingObserver;
import dev.contrastive.trainer.train.TrainingState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * This process's training metrics as Micrometer meters (the registry adds the run and rank
 * labels): loss, learning rate, images/s, the step's time split, kNN top-1, epoch and step,
 * checkpoint age and all-reduced bytes. Values are plain fields: a scrape reads them from its own
 * thread, and a slightly stale double is fine there.
 */
public final class TrainerMetrics implements TrainingObserver {

  public static final String PREFIX = "contrastive.train.";

  private final Clock clock;
  private final Counter steps;
  private final Counter images;
  private final Counter allReducedBytes;
  private final Timer dataWait;
  private final Timer forwardBackward;
  private final Timer allReduce;
  private final Timer optimizer;
  private volatile double loss = Double.NaN;
  private volatile double learningRate = Double.NaN;
  private volatile double imagesPerSecond = Double.NaN;
  private volatile double knnTop1 = Double.NaN;
  private volatile double epoch = Double.NaN;
  private volatile double step = Double.NaN;
  private volatile long checkpointMillis = -1;
  private long imagesSinceLog;
  private long lastLogNanos = System.nanoTime();

  public TrainerMetrics(MeterRegistry registry, Clock clock) {
    this.clock = clock;
    gauge(registry, "loss", "NT-Xent loss of this rank's last step", null, m -> m.loss);
    gauge(registry, "learning.rate", "learning rate of the last step", null, m -> m.learningRate);
    gauge(registry, "images.per.second", "images per second this rank trained since the last log line",
        null, m -> m.imagesPerSecond);
    gauge(registry, "knn.top1", "kNN top-1 accuracy of the held-out split at the last evaluation",
        null, m -> m.knnTop1);
    gauge(registry, "epoch", "epoch being trained (1-based)", null, m -> m.epoch);
    gauge(registry, "step", "steps done in the whole run", null, m -> m.step);
    gauge(registry, "checkpoint.age", "time since the newest checkpoint this process wrote or resumed from",
        "seconds", TrainerMetrics::checkpointAgeSeconds);
    steps = Counter.builder(PREFIX + "steps").description("training steps done by this process").register(registry);
    images = Counter.builder(PREFIX + "images").description("images (pairs of views) this rank trained on")
        .register(registry);
    allReducedBytes = Counter.builder(PREFIX + "allreduce").baseUnit("bytes")
        .description("gradient bytes this rank averaged with the gang").register(registry);
    dataWait = phase(registry, "data_wait");
    forwardBackward = phase(registry, "forward_backward");
    allReduce = phase(registry, "all_reduce");
    optimizer = phase(registry, "optimizer");
  }

  @Override
  public void started(long totalSteps, int totalEpochs, TrainingState from, Path lastCheckpoint) {
    epoch = from.epochsDone() + 1;
    step = from.step();
    if (lastCheckpoint != null) {
      try {
        checkpointMillis = Files.getLastModifiedTime(lastCheckpoint).toMillis();
      } catch (IOException e) {
        checkpointMillis = clock.millis(); // it was there a moment ago: as good as new
      }
    }
  }

  @Override
  public void stepped(int epoch, long step, float loss, float lr, int images, StepStats stats) {
    this.epoch = epoch + 1;
    this.step = step;
    this.loss = loss;
    this.learningRate = lr;
    steps.increment();
    this.images.increment(images);
    imagesSinceLog += images;
    allReducedBytes.increment(stats.allReducedBytes());
    dataWait.record(stats.dataWaitNanos(), TimeUnit.NANOSECONDS);
    forwardBackward.record(stats.forwardBackwardNanos(), TimeUnit.NANOSECONDS);
    allReduce.record(stats.allReduceNanos(), TimeUnit.NANOSECONDS);
    optimizer.record(stats.optimizerNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void logged(int epoch, long step, double loss, double imagesPerSecond, float lr) {
    long now = System.nanoTime();
    this.imagesPerSecond = imagesSinceLog / Math.max(1e-9, (now - lastLogNanos) / 1e9);
    imagesSinceLog = 0;
    lastLogNanos = now;
  }

  @Override
  public void evaluated(int epoch, long step, double knnTop1, Neighbours neighbours) {
    this.knnTop1 = knnTop1;
  }

  @Override
  public void checkpointed(long step, Path checkpoint) {
    checkpointMillis = clock.millis();
  }

  private double checkpointAgeSeconds() {
    long at = checkpointMillis;
    return at < 0 ? Double.NaN : (clock.millis() - at) / 1000.0;
  }

  private void gauge(MeterRegistry registry, String name, String help, String unit,
      java.util.function.ToDoubleFunction<TrainerMetrics> value) {
    Gauge.builder(PREFIX + name, this, value).description(help).baseUnit(unit).register(registry);
  }

  private static Timer phase(MeterRegistry registry, String phase) {
    return Timer.builder(PREFIX + "step.phase")
        .description("time of each part of a training step: data_wait, forward_backward, all_reduce, optimizer")
        .tag("phase", phase)
        .register(registry);
  }
}
