package dev.contrastive.trainer.data.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.status.ProgressStatus;
import dev.contrastive.trainer.report.StatusMessages;
import dev.contrastive.trainer.report.StatusWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While a slow Hub download runs, rank 0's status gets its progress line, so that {@code kubectl get
 * ctrun} (the Message column) says why the run has not started training.
 */
class DownloadStatusTest {

  @TempDir Path tmp;


  @Test
  void rankZerosStatusShowsTheDownloadWhileItRuns() throws IOException {
    List<String> written = Collections.synchronizedList(new ArrayList<>());
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    try (FakeHub hub = new FakeHub()) {
      byte[] train = shard("train", 0, 40);
      byte[] validation = shard("validation", 100, 8);
      hub.repo(HubDownloadTest.REPO).commit("main", HubDownloadTest.COMMIT, FakeHub.files(
          "data/train-00000-of-00001.parquet", train, "data/validation-00000-of-00001.parquet", validation));
      hub.slow(Duration.ofMillis(40)); // about 25 kB/s: the download takes a few seconds
      StatusWriter status = progress -> written.add(progress.message);
      StatusMessages rankZero = new StatusMessages(status, Duration.ofMillis(500), Clock.systemUTC(), log::add);

      HubDatasets.download(HubDatasetsTest.spec(), new HubSettings(hub.endpoint(), null, false, tmp.resolve("hub")),
          rankZero, HubDownloadTest.FAST, Duration.ofSeconds(5), Duration.ofMillis(200));

      assertThat(hub.downloadsOf(FakeHub.sha256(train))).hasSize(1);
    }

    // the first line goes out at once, before any byte, and more follow while the bytes arrive
    assertThat(written.get(0)).startsWith("downloading someone/shapes: 0/2 shards, 0 B of ");
    assertThat(written).anyMatch(m -> m.matches("downloading someone/shapes: [01]/2 shards, [0-9]+ kB of [0-9]+ kB,"
        + " [0-9]+ kB/s, [0-9]+ s left"));
    assertThat(written).allSatisfy(m -> assertThat(m).matches("downloading someone/shapes: [0-2]/2 shards, .+ of .+"));
    // every line reaches the log; the status only at most every interval
    assertThat(log.size()).isGreaterThan(written.size());
    assertThat(log.get(log.size() - 1)).startsWith("downloading someone/shapes: 2/2 shards, ");
  }

  @Test
  void aLineLongerThanTheStatusAllowsIsCutForTheStatusButLoggedWhole() {
    List<String> messages = new ArrayList<>();
    List<String> log = new ArrayList<>();
    StatusMessages sink = new StatusMessages(p -> messages.add(p.message), Duration.ZERO, Clock.systemUTC(), log::add);
    String longLine = "downloading " + "x".repeat(ProgressStatus.MESSAGE_MAX_LENGTH);

    sink.accept(longLine);

    assertThat(log).containsExactly(longLine);
    assertThat(messages).containsExactly(longLine.substring(0, ProgressStatus.MESSAGE_MAX_LENGTH));
  }

  private byte[] shard(String name, int first, int count) throws IOException {
    return ParquetFiles.noiseShard(tmp.resolve("shards/" + name + ".parquet"), first, count, HubDatasetsTest.CLASSES);
  }

}
