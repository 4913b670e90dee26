package dev.contrastive.trainer.tracking;

import java.util.Map;

/**
 * One place rank 0 sends the run's history to. Its methods run on the backend's own thread (see
 * {@link BackendQueue}), one at a time, and may block or throw: the queue shields training.
 */
public interface TrackingBackend extends AutoCloseable {

  /** For logs and the metrics' backend label, e.g. {@code mlflow}. */
  String name();

  /** Before anything else: create (or find again) the run, log its parameters and tags. */
  void start(TrackedRun run) throws Exception;

  /** Values of several series at one step. */
  void scalars(long step, long wallMillis, Map<String, Double> values) throws Exception;

  /**
   * A picture at one step (a PNG of {@code width} x {@code height}); {@code artifactPath} names it
   * where a backend stores files, e.g. {@code contact-sheets/step-0000000100.png}.
   */
  void image(String tag, long step, long wallMillis, byte[] png, int width, int height, String artifactPath)
      throws Exception;

  /** The run ended. */
  void finish(TrackedRun.End end) throws Exception;

  /** Releases what the backend holds; may be called while another of its calls hangs, to end it. */
  @Override
  void close();
}
