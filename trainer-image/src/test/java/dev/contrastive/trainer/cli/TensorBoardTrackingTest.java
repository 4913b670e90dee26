package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contrastive.trainer.sheet.ContactSheet;
import dev.contrastive.trainer.tracking.Tracking;
import dev.contrastive.trainer.tracking.tensorboard.EventFileReader;
import dev.contrastive.trainer.train.KnnEvaluation;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tracking.tensorboard.enabled}: rank 0 writes the run's history where TensorBoard reads it. */
class TensorBoardTrackingTest {

  private static final Pattern LOG_LINE = Pattern.compile("(?m)^\\[rank 0] .*step (\\d+)/\\d+ loss (\\S+) ");
  private static final Pattern KNN_LINE = Pattern.compile("(?m)^\\[rank 0] .*kNN top-1 (\\S+)$");

  @Test
  void eventFilesHoldTheLossesOfTheLogUnderExperimentAndRunName(@TempDir Path dir) throws IOException {
    Path checkpoints = dir.resolve("ckpt");

    CliRun run = CliRun.run("train", "--nproc", "2", "-f", CliRun.TINY.toString(),
        "checkpoint.mountPath=" + checkpoints, "metrics.port=0", "tracking.tensorboard.enabled=true",
        "tracking.experiment=Mixer-exp", "tracking.runName=Parallel-ViT-1");

    assertThat(run.exitCode()).as(run.out()).isZero();
    List<Path> files;
    try (Stream<Path> listed = Files.list(checkpoints.resolve("tensorboard/Mixer-exp/Parallel-ViT-1"))) {
      files = listed.toList();
    }
    // rank 0 alone writes
    assertThat(files).singleElement().satisfies(f -> assertThat(f.getFileName().toString()).startsWith("events.out.tfevents."));
    List<EventFileReader.Event> events = EventFileReader.read(files.get(0));

    Map<Long, Double> logged = new TreeMap<>();
    Matcher line = LOG_LINE.matcher(run.out());
    while (line.find()) {
      logged.put(Long.parseLong(line.group(1)), Double.parseDouble(line.group(2)));
    }
    Map<Long, Double> written = scalars(events, "train/loss");
    assertThat(logged).hasSize(4);
    assertThat(written.keySet()).isEqualTo(logged.keySet());
    logged.forEach((step, loss) -> assertThat(written.get(step)).as("step %d", step).isCloseTo(loss, within(5e-5)));

    Matcher knn = KNN_LINE.matcher(run.out());
    List<Double> knnLogged = knn.results().map(m -> Double.parseDouble(m.group(1))).toList();
    assertThat(scalars(events, "eval/knn_top1").values()).hasSize(knnLogged.size())
        .zipSatisfy(knnLogged, (w, l) -> assertThat(w).isCloseTo(l, within(5e-5)));
    assertThat(scalars(events, "epoch/loss")).containsOnlyKeys(2L, 4L);
    // a contact sheet per evaluation: 4 held-out queries (the default), each with its 6 nearest
    List<EventFileReader.Value> sheets = events.stream().flatMap(e -> e.values().stream())
        .filter(v -> Tracking.SHEET_TAG.equals(v.tag())).toList();
    assertThat(sheets).hasSize(knnLogged.size());
    ContactSheet.Layout layout = new ContactSheet.Layout(16, 4, KnnEvaluation.SHEET_NEIGHBOURS);
    for (EventFileReader.Value sheet : sheets) {
      BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(sheet.png()));
      assertThat(decoded.getWidth()).isEqualTo(sheet.width()).isEqualTo(layout.width());
      assertThat(decoded.getHeight()).isEqualTo(sheet.height()).isEqualTo(layout.height());
    }
    assertThat(text(events, "config")).contains("| optimizer.lr | 0.05 |", "| trainer.maxEpochs | 2 |");
    assertThat(text(events, "tags")).contains("| contrastive.dev/world-size | 2 |", "| contrastive.dev/run | tiny |");
    assertThat(text(events, "end")).startsWith("status FINISHED, last checkpoint `" + CliRun.tinyFolder(checkpoints).resolve("ckpt-e00002-s0000000004"));
  }

  private static Map<Long, Double> scalars(List<EventFileReader.Event> events, String tag) {
    Map<Long, Double> values = new TreeMap<>();
    for (EventFileReader.Event event : events) {
      event.values().stream().filter(v -> tag.equals(v.tag()) && v.simpleValue() != null)
          .forEach(v -> values.put(event.step(), v.simpleValue().doubleValue()));
    }
    return values;
  }

  private static String text(List<EventFileReader.Event> events, String tag) {
    return events.stream().flatMap(e -> e.values().stream()).filter(v -> tag.equals(v.tag()))
        .map(EventFileReader.Value::text).findFirst().orElse("");
  }
}
