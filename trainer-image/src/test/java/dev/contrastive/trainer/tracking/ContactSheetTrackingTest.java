package dev.contrastive.trainer.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.trainer.data.InMemoryImages;
import dev.contrastive.trainer.sheet.ContactSheet;
import dev.contrastive.trainer.sheet.ContactSheetTesting;
import dev.contrastive.trainer.tracking.tensorboard.EventFileReader;
import dev.contrastive.trainer.train.Neighbours;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rank 0 logs each evaluation's contact sheet: a TensorBoard image and an MLflow artifact. */
class ContactSheetTrackingTest {

  @Test
  void eachEvaluationsSheetReadsBackFromTensorBoardAndIsStoredInMlflow(@TempDir Path dir) throws Exception {
    InMemoryImages heldOut = ContactSheetTesting.images(new int[] {0, 1}, 10);
    InMemoryImages train = ContactSheetTesting.images(new int[] {1, 0, 1}, 90);
    Neighbours neighbours = new Neighbours(heldOut, train, new int[] {0, 1},
        new int[][] {{1, 0}, {2, 1}}, new float[][] {{0.75f, 0.5f}, {0.625f, 0.25f}});
    TrackedRun run = new TrackedRun("exp", "tiny", Map.of(), Map.of(), dir);

    try (FakeMlflowServer server = new FakeMlflowServer()) {
      Tracking tracking = new Tracking(run, List.of(new TensorBoardBackend(), new MlflowBackend(server.uri(), Map.of())),
          new SimpleMeterRegistry(), 16, Duration.ofSeconds(20)).withContactSheets(2);
      assertThat(tracking.contactSheetQueries()).isEqualTo(2);

      tracking.evaluated(0, 8, 0.5, neighbours);
      tracking.evaluated(1, 16, 0.5, Neighbours.NONE); // no sheet asked for at this evaluation
      tracking.close();

      EventFileReader.Value image = images(dir.resolve("tensorboard/exp/tiny")).get(0);
      assertThat(images(dir.resolve("tensorboard/exp/tiny"))).hasSize(1);
      BufferedImage sheet = ContactSheetTesting.decode(image.png());
      ContactSheet.Layout layout = new ContactSheet.Layout(ContactSheetTesting.SIZE, 2, 2);
      assertThat(image.width()).isEqualTo(sheet.getWidth()).isEqualTo(layout.width());
      assertThat(image.height()).isEqualTo(sheet.getHeight()).isEqualTo(layout.height());
      ContactSheetTesting.assertTile(sheet, layout, 0, 0, heldOut, 0, ContactSheet.Frame.QUERY);
      ContactSheetTesting.assertTile(sheet, layout, 0, 1, train, 1, ContactSheet.Frame.SAME_LABEL);
      ContactSheetTesting.assertTile(sheet, layout, 1, 1, train, 2, ContactSheet.Frame.SAME_LABEL);
      ContactSheetTesting.assertTile(sheet, layout, 1, 2, train, 1, ContactSheet.Frame.OTHER_LABEL);

      FakeMlflowServer.StoredRun stored = server.runs().get(0);
      assertThat(server.artifacts().get(stored.experimentId + "/" + stored.id
          + "/artifacts/contact-sheets/step-0000000008.png")).isEqualTo(image.png());
    }
  }

  private static List<EventFileReader.Value> images(Path folder) throws Exception {
    try (Stream<Path> files = Files.list(folder)) {
      Path file = files.findFirst().orElseThrow();
      return EventFileReader.read(file).stream()
          .filter(e -> e.step() == 8)
          .flatMap(e -> e.values().stream())
          .filter(v -> Tracking.SHEET_TAG.equals(v.tag()) && v.png() != null)
          .toList();
    }
  }
}
