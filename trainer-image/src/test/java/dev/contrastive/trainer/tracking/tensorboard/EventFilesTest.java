package dev.contrastive.trainer.tracking.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventFilesTest {

  @Test
  void maskedCrcIsTfRecordsMaskOfCrc32c() {
    // CRC-32C's check value for "123456789" is 0xE3069283; TFRecord rotates it right by 15 and
    // adds 0xa282ead8
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    int crc = 0xE3069283;

    assertThat(TfRecords.maskedCrc(check, 0, check.length)).isEqualTo(((crc >>> 15) | (crc << 17)) + 0xa282ead8);
  }

  @Test
  void eventsReadBackWithTheirStepsTagsAndValues(@TempDir Path dir) throws IOException {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
    Path file;
    try (EventFileWriter writer = EventFileWriter.create(dir.resolve("runs/tiny"), 1_700_000_000_123L)) {
      writer.write(Events.scalar(1_700_000_001.5, 7, "train/loss", 3.25f));
      writer.write(Events.image(1_700_000_002.0, 8, "eval/nearest_neighbours", png, 40, 20));
      writer.write(Events.text(1_700_000_003.0, 0, "config", "| optimizer.lr | 0.3 |"));
      file = writer.file();
    }

    assertThat(file.getFileName().toString()).startsWith("events.out.tfevents.1700000000.");
    List<EventFileReader.Event> events = EventFileReader.read(file);
    assertThat(events).hasSize(4);
    assertThat(events.get(0).fileVersion()).isEqualTo("brain.Event:2");
    assertThat(events.get(0).wallTime()).isEqualTo(1_700_000_000.123);
    assertThat(events.get(1).step()).isEqualTo(7);
    assertThat(events.get(1).wallTime()).isEqualTo(1_700_000_001.5);
    assertThat(events.get(1).values()).singleElement().satisfies(v -> {
      assertThat(v.tag()).isEqualTo("train/loss");
      assertThat(v.simpleValue()).isEqualTo(3.25f);
    });
    assertThat(events.get(2).values()).singleElement().satisfies(v -> {
      assertThat(v.tag()).isEqualTo("eval/nearest_neighbours");
      assertThat(v.png()).isEqualTo(png);
      assertThat(v.width()).isEqualTo(40);
      assertThat(v.height()).isEqualTo(20);
    });
    assertThat(events.get(3).values().get(0).text()).isEqualTo("| optimizer.lr | 0.3 |");
  }

  @Test
  void aSecondFileInTheSameSecondDoesNotOverwriteTheFirst(@TempDir Path dir) throws IOException {
    try (EventFileWriter first = EventFileWriter.create(dir, 5_000);
        EventFileWriter second = EventFileWriter.create(dir, 5_000)) {
      assertThat(second.file()).isNotEqualTo(first.file());
    }
  }

  @Test
  void aFlippedByteFailsTheCrc(@TempDir Path dir) throws IOException {
    Path file;
    try (EventFileWriter writer = EventFileWriter.create(dir, 5_000)) {
      writer.write(Events.scalar(5.0, 1, "train/loss", 1f));
      file = writer.file();
    }
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 6] ^= 1;
    Files.write(file, bytes);

    assertThatThrownBy(() -> EventFileReader.read(file)).hasMessageContaining("bad data CRC");
  }
}
