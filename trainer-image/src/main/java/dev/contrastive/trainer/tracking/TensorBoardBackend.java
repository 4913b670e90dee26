package dev.contrastive.trainer.tracking;

import dev.contrastive.trainer.tracking.tensorboard.EventFileWriter;
import dev.contrastive.trainer.tracking.tensorboard.Events;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * TensorBoard event files in {@code <checkpoint root>/tensorboard/[<experiment>/]<run name>}:
 * scalars, contact sheets as images, and the config and tags as text at step 0. Point
 * TensorBoard's {@code --logdir} at the {@code tensorboard} folder to compare runs.
 */
final class TensorBoardBackend implements TrackingBackend {

  static final String FOLDER = "tensorboard";

  private EventFileWriter writer;

  /** Where a run's event files go. */
  static Path folder(TrackedRun run) {
    Path root = run.checkpointRoot().resolve(FOLDER);
    return (run.experiment() == null ? root : root.resolve(run.experiment())).resolve(run.runName());
  }

  @Override
  public String name() {
    return "tensorboard";
  }

  @Override
  public void start(TrackedRun run) throws IOException {
    long now = System.currentTimeMillis();
    writer = EventFileWriter.create(folder(run), now);
    writer.write(Events.text(now / 1000.0, 0, "config", table(run.params())));
    writer.write(Events.text(now / 1000.0, 0, "tags", table(run.tags())));
  }

  @Override
  public void scalars(long step, long wallMillis, Map<String, Double> values) throws IOException {
    for (Map.Entry<String, Double> value : values.entrySet()) {
      writer.write(Events.scalar(wallMillis / 1000.0, step, value.getKey(), value.getValue().floatValue()));
    }
  }

  @Override
  public void image(String tag, long step, long wallMillis, byte[] png, int width, int height, String artifactPath)
      throws IOException {
    writer.write(Events.image(wallMillis / 1000.0, step, tag, png, width, height));
  }

  @Override
  public void finish(TrackedRun.End end) throws IOException {
    writer.write(Events.text(System.currentTimeMillis() / 1000.0, 0, "end",
        "status " + end.status() + (end.lastCheckpoint() == null ? "" : ", last checkpoint `" + end.lastCheckpoint() + "`")
            + (end.exportedModel() == null ? "" : ", encoder `" + end.exportedModel() + "`")));
  }

  @Override
  public void close() {
    if (writer != null) {
      try {
        writer.close();
      } catch (IOException ignored) {
        // every event was flushed when written
      }
    }
  }

  /** A markdown table, which TensorBoard's Text tab renders. */
  private static String table(Map<String, String> entries) {
    return "| key | value |\n|---|---|\n" + entries.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> "| " + e.getKey() + " | " + e.getValue().replace("|", "\\|") + " |")
        .collect(Collectors.joining("\n"));
  }
}
