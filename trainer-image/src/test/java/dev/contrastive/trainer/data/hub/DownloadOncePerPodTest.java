package dev.contrastive.trainer.data.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.trainer.cli.TrainerCli;
import dev.contrastive.trainer.dist.LocalLauncher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pod's processes do not download a Hub data set once each: the pod's launcher downloads it
 * before its ranks start (so no rank waits for a download in a collective), and processes that do
 * share a cache take its lock, one downloading while the others wait.
 */
@Tag("slow") // two training processes start: 67 s to 146 s in a .ci/run-like load on 2 cores
class DownloadOncePerPodTest {

  @TempDir Path tmp;
  FakeHub hub;
  final ByteArrayOutputStream output = new ByteArrayOutputStream();
  byte[] train;
  byte[] validation;

  @BeforeEach
  void serveARepository() throws IOException {
    hub = new FakeHub();
    train = shard("train", 0, 32);
    validation = shard("validation", 100, 16);
    hub.repo(HubDownloadTest.REPO).commit("main", HubDownloadTest.COMMIT, FakeHub.files(
        "data/train-00000-of-00001.parquet", train,
        "data/validation-00000-of-00001.parquet", validation));
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  @Test
  void aPodOfTwoProcessesDownloadsOnceBeforeItsRanksStart() throws IOException {
    Map<String, String> pod = new HashMap<>(Map.of(
        "NODE_RANK", "0", "NPROC_PER_NODE", "2", "WORLD_SIZE", "2",
        "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", Integer.toString(freePort()), "RENDEZVOUS_TOKEN", "pod-token",
        "POD_IP", "127.0.0.1", "HF_ENDPOINT", hub.endpoint(), "HF_HOME", tmp.resolve("hf").toString()));
    PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);

    int code = TrainerCli.run(new String[] {"train", "-f", "src/test/resources/runs/tiny.yaml", "dataset=huggingface",
        "dataset.source=" + HubDownloadTest.REPO, "dataset.imageSize=16", "trainer.maxEpochs=1",
        "checkpoint.mountPath=" + tmp.resolve("ckpt")}, pod, out, out);

    assertThat(code).as(output()).isZero();
    assertThat(hub.downloadsOf(FakeHub.sha256(train))).hasSize(1);
    assertThat(hub.downloadsOf(FakeHub.sha256(validation))).hasSize(1);
    // the launcher (its lines have no rank prefix) downloaded; the ranks only found the files
    assertThat(output().lines()).anyMatch(l -> l.startsWith("downloading someone/shapes: 2/2 shards, "));
    assertThat(output()).doesNotContain("waiting for another process")
        .contains("[rank 0] someone/shapes: the 2 shards of the two splits (", ") are in the cache at commit aaaaaaaaaaaa")
        .contains("[rank 1] someone/shapes: the 2 shards of the two splits (");
    List<FakeHub.Request> requests = hub.requests();
    int lastDownload = lastIndex(requests, "/cdn/");
    List<Integer> revisionLookups = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      if (requests.get(i).path().contains("/revision/")) {
        revisionLookups.add(i);
      }
    }
    assertThat(revisionLookups).as("the launcher's lookup, then one per rank").hasSize(3);
    assertThat(lastDownload).isBetween(revisionLookups.get(0), revisionLookups.get(1));
  }

  @Test
  void processesSharingACacheTakeItsLockAndDownloadEachFileOnce() {
    hub.slow(Duration.ofMillis(80)); // the download lasts seconds: the others start meanwhile and must wait
    PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);

    int code = LocalLauncher.standalone(1, 3, List.of("-Xmx96m"), DownloadProcess.class.getName(),
        List.of(hub.endpoint(), tmp.resolve("hub").toString()), out).run();

    assertThat(code).as(output()).isZero();
    assertThat(output().lines().filter(l -> l.endsWith("] done"))).hasSize(3);
    assertThat(hub.downloadsOf(FakeHub.sha256(train))).hasSize(1);
    assertThat(hub.downloadsOf(FakeHub.sha256(validation))).hasSize(1);
    // the others waited, passing on the downloader's progress
    assertThat(output()).containsPattern("\\[rank [0-2]] waiting for another process, which is downloading someone/shapes: ");
  }

  private String output() {
    return output.toString(StandardCharsets.UTF_8);
  }

  private static int lastIndex(List<FakeHub.Request> requests, String pathPart) {
    for (int i = requests.size() - 1; i >= 0; i--) {
      if (requests.get(i).path().contains(pathPart)) {
        return i;
      }
    }
    return -1;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private byte[] shard(String name, int first, int count) throws IOException {
    return ParquetFiles.noiseShard(tmp.resolve("shards/" + name + ".parquet"), first, count, HubDatasetsTest.CLASSES);
  }

}
