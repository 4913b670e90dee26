package dev.contrastive.trainer.tracking;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.sheet.ContactSheet;
import dev.contrastive.trainer.sheet.NeighbourSheets;
import dev.contrastive.trainer.train.Neighbours;
import dev.contrastive.trainer.train.TrainingObserver;
import dev.contrastive.trainer.train.TrainingRun;
import dev.contrastive.trainer.train.TrainingState;
import io.micrometer.core.instrument.MeterRegistry;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rank 0's experiment tracking: the log line's values per step, the epoch's values, kNN top-1, a
 * contact sheet per evaluation and the run's end, sent to each configured backend through its own
 * {@link BackendQueue}.
 */
public final class Tracking implements TrainingObserver, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Tracking.class);

  /** TensorBoard's tag of the contact sheets. */
  public static final String SHEET_TAG = "eval/nearest_neighbours";

  /** Calls a backend may fall behind by before points are dropped. */
  static final int QUEUE_CAPACITY = 1024;
  /** How long the end of a run waits for a backend to take what is queued (the encoder upload too). */
  static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(60);

  private final List<BackendQueue> queues;
  private final Duration closeTimeout;
  /** Draws contact sheets off the training thread; a sheet still drawing when the next comes wins. */
  private final ExecutorService sheets = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
      new ArrayBlockingQueue<>(1), runnable -> {
        Thread thread = new Thread(runnable, "tracking-contact-sheets");
        thread.setDaemon(true);
        return thread;
      }, new ThreadPoolExecutor.DiscardPolicy());
  private final AtomicBoolean sheetFailureReported = new AtomicBoolean();
  private int sheetQueries;
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
        : Optional.of(new Tracking(run, backends, registry, QUEUE_CAPACITY, DEFAULT_CLOSE_TIMEOUT)
            .withContactSheets(spec.tracking.contactSheetQueries == null ? 0 : spec.tracking.contactSheetQueries));
  }

  /** Draw a contact sheet of {@code queries} held-out images at each evaluation (0: none). */
  Tracking withContactSheets(int queries) {
    this.sheetQueries = Math.max(0, queries);
    return this;
  }

  @Override
  public int contactSheetQueries() {
    return sheetQueries;
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
    if (!neighbours.isEmpty() && sheetQueries > 0) {
      long now = System.currentTimeMillis();
      sheets.execute(() -> sendSheet(step, now, neighbours));
    }
  }

  /** Draws the sheet (reading images, encoding the PNG) on the sheets' thread and queues it for each backend. */
  private void sendSheet(long step, long wallMillis, Neighbours neighbours) {
    try {
      BufferedImage sheet = ContactSheet.draw(NeighbourSheets.rows(neighbours));
      byte[] png = ContactSheet.png(sheet);
      String artifact = String.format(Locale.ROOT, "contact-sheets/step-%010d.png", step);
      each(1, backend -> backend.image(SHEET_TAG, step, wallMillis, png, sheet.getWidth(), sheet.getHeight(), artifact));
    } catch (RuntimeException e) {
      if (sheetFailureReported.compareAndSet(false, true)) {
        LOG.warn("tracking: contact sheet of step {} not drawn, training goes on (reported once): {}", step, e.toString());
      }
    }
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
      finishSheets();
      each(1, backend -> backend.finish(end));
    }
  }

  /** Lets the last sheet reach the backends before the run's end does. */
  private void finishSheets() {
    sheets.shutdown();
    try {
      if (!sheets.awaitTermination(closeTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("tracking: the last contact sheet was not drawn within {} s; giving up on it", closeTimeout.toSeconds());
        sheets.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sheets.shutdownNow();
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
