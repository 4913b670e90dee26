package dev.contrastive.trainer.tracking;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.train.Neighbours;
import dev.contrastive.trainer.train.TrainingObserver;
import dev.contrastive.trainer.train.TrainingRun;
import dev.contrastive.trainer.train.TrainingState;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rank 0's experiment tracking: the log line's values per step, the epoch's values, kNN top-1 and
 * the run's end, sent to each configured backend through its own {@link BackendQueue}.
 */
public final class Tracking implements TrainingObserver, AutoCloseable {

  /** Calls a backend may fall behind by before points are dropped. */
  static final int QUEUE_CAPACITY = 1024;
  /** How long the end of a run waits for a backend to take what is queued (the encoder upload too). */
  static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(60);

  private final List<BackendQueue> queues;
  private final Duration closeTimeout;
  private Path lastCheckpoint;
  private boolean ended;

  Tracking(TrackedRun run, List<TrackingBackend> backends, MeterRegistry registry, int capacity,
      Duration closeTimeout) {
    this.queues = backends.stream().map(b -> new BackendQueue(b, capacity, registry)).toList();
    this.closeTimeout = closeTimeout;
    each(0, backend -> backend.start(run));
  }

  /**
   * The tracking of this process: on rank 0 the backends {@code spec.tracking} turns on, else
   * none.
   */
  public static Optional<Tracking> start(
      ContrastiveTrainingRunSpec spec, TrackedRun run, int rank, Map<String, String> env, MeterRegistry registry) {
    if (rank != 0 || spec.tracking == null) {
      return Optional.empty();
    }
    List<TrackingBackend> backends = new ArrayList<>();
    if (spec.tracking.tensorboard != null && Boolean.TRUE.equals(spec.tracking.tensorboard.enabled)) {
      backends.add(new TensorBoardBackend());
    }
    if (spec.tracking.mlflow != null && spec.tracking.mlflow.trackingUri != null) {
      backends.add(new MlflowBackend(spec.tracking.mlflow.trackingUri, env));
    }
    return backends.isEmpty() ? Optional.empty()
        : Optional.of(new Tracking(run, backends, registry, QUEUE_CAPACITY, DEFAULT_CLOSE_TIMEOUT));
  }

  @Override
  public void started(long totalSteps, int totalEpochs, TrainingState from, Path lastCheckpoint) {
    this.lastCheckpoint = lastCheckpoint;
  }

  @Override
  public void logged(int epoch, long step, double loss, double imagesPerSecond, float lr) {
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("train/loss", loss);
    values.put("train/images_per_second", imagesPerSecond);
    values.put("train/learning_rate", (double) lr);
    scalars(step, values);
  }

  @Override
  public void evaluated(int epoch, long step, double knnTop1, Neighbours neighbours) {
    scalars(step, Map.of("eval/knn_top1", knnTop1));
  }

  @Override
  public void checkpointed(long step, Path checkpoint) {
    lastCheckpoint = checkpoint;
  }

  @Override
  public void epochEnded(int epoch, long step, double loss, double imagesPerSecond) {
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("epoch/loss", loss);
    values.put("epoch/images_per_second", imagesPerSecond);
    values.put("epoch", (double) epoch + 1);
    scalars(step, values);
  }

  @Override
  public void finished(TrainingRun.Result result, boolean complete, Path exportedModel) {
    end(new TrackedRun.End(complete ? TrackedRun.Status.FINISHED : TrackedRun.Status.KILLED,
        result.lastCheckpoint(), exportedModel));
  }

  /** Ends the run (FAILED if training did not finish) and waits a bounded time for the backends. */
  @Override
  public void close() {
    end(new TrackedRun.End(TrackedRun.Status.FAILED, lastCheckpoint, null));
    for (BackendQueue queue : queues) {
      queue.finish(closeTimeout);
    }
  }

  private void end(TrackedRun.End end) {
    if (!ended) {
      ended = true;
      each(1, backend -> backend.finish(end));
    }
  }

  private void scalars(long step, Map<String, Double> values) {
    Map<String, Double> finite = new LinkedHashMap<>();
    values.forEach((key, value) -> {
      if (value != null && Double.isFinite(value)) {
        finite.put(key, value);
      }
    });
    long now = System.currentTimeMillis();
    each(finite.size(), backend -> backend.scalars(step, now, finite));
  }

  private void each(int points, BackendQueue.Call call) {
    for (BackendQueue queue : queues) {
      queue.submit(points, call);
    }
  }
}
