package dev.contrastive.trainer.data.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.api.spec.DatasetSpec;
import dev.contrastive.trainer.data.DataException;
import dev.contrastive.trainer.data.DatasetSplits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real download path against a local fake Hub serving Parquet shards this test writes. */
class HubDownloadTest {

  static final String REPO = "someone/shapes";
  static final String COMMIT = "a".repeat(40);
  static final Backoff FAST = new Backoff(3, Duration.ofMillis(10), Duration.ofMillis(20));

  @TempDir Path tmp;
  FakeHub hub;
  final List<String> progress = Collections.synchronizedList(new ArrayList<>());
  byte[] train0;
  byte[] train1;
  byte[] validation;

  @BeforeEach
  void serveARepository() throws IOException {
    hub = new FakeHub();
    train0 = shard("train0", HubDatasetsTest.rows(0, 6));
    train1 = shard("train1", HubDatasetsTest.rows(6, 6));
    validation = shard("validation", HubDatasetsTest.rows(100, 4));
    hub.repo(REPO).commit("main", COMMIT, FakeHub.files(
        "README.md", "# shapes\n".getBytes(),
        "data/train-00000-of-00002.parquet", train0,
        "data/train-00001-of-00002.parquet", train1,
        "data/validation-00000-of-00001.parquet", validation,
        "data/test-00000-of-00001.parquet", shard("test", HubDatasetsTest.rows(200, 4))));
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  @Test
  void downloadsBothSplitsVerifiedIntoTheCacheAndReusesIt() {
    DatasetSplits splits = open(settings(null, false));

    assertThat(splits.train().size()).isEqualTo(12);
    assertThat(splits.heldOut().size()).isEqualTo(4);
    assertThat(splits.classNames()).containsExactlyElementsOf(HubDatasetsTest.CLASSES);
    assertThat(hub.downloadsOf(FakeHub.sha256(train0))).hasSize(1);
    assertThat(hub.requests()).as("the test split is not needed").noneMatch(r -> r.path().contains("test-00000"));
    Path repoCache = tmp.resolve("hub/datasets--someone--shapes");
    assertThat(repoCache.resolve("blobs/" + FakeHub.sha256(train0))).hasBinaryContent(train0);
    assertThat(repoCache.resolve("snapshots/" + COMMIT + "/data/train-00001-of-00002.parquet")).hasBinaryContent(train1);
    assertThat(repoCache.resolve("refs/main")).hasContent(COMMIT);
    assertThat(progress).last().asString()
        .startsWith("downloading someone/shapes: 3/3 shards, ").contains(" of ");

    int before = hub.requests().size();
    open(settings(null, false));
    assertThat(hub.requests().subList(before, hub.requests().size()))
        .as("a second run only asks which commit main is").noneMatch(r -> r.path().contains("/resolve/"));
  }

  @Test
  void offlineTrainsFromTheCacheAlone() {
    open(settings(null, false));
    hub.close();

    DatasetSplits splits = open(settings(null, true));

    assertThat(splits.train().size()).isEqualTo(12);
  }

  @Test
  void anUnreachableHubFallsBackToACompleteEarlierDownload() {
    open(settings(null, false));
    hub.unavailable(100);

    DatasetSplits splits = open(settings(null, false));

    assertThat(splits.train().size()).isEqualTo(12);
    assertThat(progress).anyMatch(line -> line.startsWith("cannot reach "));
  }

  @Test
  void aGatedDataSetWithoutTokenIsRefusedNamingTheRepositoryAndWhatToDo() {
    hub.repo(REPO).gated("hf_secret");

    assertThatThrownBy(() -> open(settings(null, false)))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("dataset.source someone/shapes is a gated data set and no token (HF_TOKEN is not set)"
            + " gives no access: accept its conditions on the data set's Hub page, then put a token of that account"
            + " in HF_TOKEN (from a Secret, through spec.template envFrom) (HTTP 401 from " + hub.endpoint());
  }

  @Test
  void aGatedDataSetWithItsTokenDownloadsAndTheTokenStaysOnTheHub() {
    hub.repo(REPO).gated("hf_secret");

    open(settings("hf_secret", false));

    assertThat(hub.requests()).filteredOn(r -> r.path().contains("/resolve/"))
        .allMatch(r -> "Bearer hf_secret".equals(r.authorization()));
    assertThat(hub.requests()).filteredOn(r -> r.path().startsWith("/cdn/"))
        .isNotEmpty().allMatch(r -> r.authorization() == null);
  }

  @Test
  void aWrongTokenOfAGatedDataSetSaysTheAccountHasNoAccess() {
    hub.repo(REPO).gated("hf_secret");

    assertThatThrownBy(() -> open(settings("hf_other", false)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("is a gated data set and the token in HF_TOKEN has no access yet");
  }

  @Test
  void anUnknownRepositoryOrRevisionIsRefused() {
    DatasetSpec unknown = HubDatasetsTest.spec();
    unknown.source = "someone/nothing";
    DatasetSpec otherRevision = HubDatasetsTest.spec();
    otherRevision.revision = "v2";

    assertThatThrownBy(() -> HubDatasets.open(unknown, settings(null, false), progress::add, FAST,
        Duration.ofSeconds(5), Duration.ZERO))
        .isInstanceOf(DataException.class)
        .hasMessage("dataset.source someone/nothing: no such data set on " + hub.endpoint() + ", or it is private and"
            + " no token (HF_TOKEN is not set) cannot read it (HTTP 401: Repository not found)");
    assertThatThrownBy(() -> HubDatasets.open(otherRevision, settings(null, false), progress::add, FAST,
        Duration.ofSeconds(5), Duration.ZERO))
        .isInstanceOf(DataException.class)
        .hasMessage("dataset.revision 'v2': no such branch, tag or commit in someone/shapes (HTTP 404: Invalid rev id: v2)");
  }

  @Test
  void aDownloadThatBreaksOffResumesWithARangeRequest() {
    String sha = FakeHub.sha256(train1);
    hub.truncate(sha, 1);

    DatasetSplits splits = open(settings(null, false));

    assertThat(splits.train().size()).isEqualTo(12);
    List<FakeHub.Request> downloads = hub.downloadsOf(sha);
    assertThat(downloads).hasSize(2);
    assertThat(downloads.get(0).range()).isNull();
    assertThat(downloads.get(1).range()).isEqualTo("bytes=" + train1.length / 2 + "-");
    assertThat(tmp.resolve("hub/datasets--someone--shapes/blobs/" + sha)).hasBinaryContent(train1);
  }

  @Test
  void aRestartedWorkerResumesThePartFileItsPredecessorLeft() throws IOException {
    String sha = FakeHub.sha256(train0);
    Path partial = tmp.resolve("hub/datasets--someone--shapes/blobs/" + sha + ".incomplete");
    Files.createDirectories(partial.getParent());
    Files.write(partial, java.util.Arrays.copyOf(train0, 100));

    open(settings(null, false));

    assertThat(hub.downloadsOf(sha)).singleElement().extracting(FakeHub.Request::range).isEqualTo("bytes=100-");
    assertThat(partial).doesNotExist();
  }

  @Test
  void aWrongChecksumIsDownloadedAgainAndFailsTheWorkerWhenItPersists() {
    String sha = FakeHub.sha256(validation);
    hub.corrupt(sha, 1);

    open(settings(null, false));
    assertThat(hub.downloadsOf(sha)).hasSize(2);
    assertThat(progress).anyMatch(line -> line.contains("SHA-256") && line.endsWith("downloading it again"));

    hub.corrupt(FakeHub.sha256(train0), 100);
    Path otherCache = tmp.resolve("other");
    assertThatThrownBy(() -> HubDatasets.open(HubDatasetsTest.spec(),
        new HubSettings(hub.endpoint(), null, false, otherCache), progress::add, FAST, Duration.ofSeconds(5),
        Duration.ZERO))
        .isInstanceOf(HubUnavailableException.class)
        .hasMessageContaining("data/train-00000-of-00002.parquet of someone/shapes: SHA-256 ")
        .hasMessageEndingWith("is not the " + FakeHub.sha256(train0) + " the Hub lists (downloaded 3 times)");
    assertThat(otherCache.resolve("datasets--someone--shapes/blobs/" + FakeHub.sha256(train0))).doesNotExist();
  }

  @Test
  void serverErrorsAreRetriedThenFailTheWorker() {
    hub.unavailable(2);
    assertThat(open(settings(null, false)).train().size()).isEqualTo(12);

    hub.unavailable(100);
    Path otherCache = tmp.resolve("other");
    assertThatThrownBy(() -> HubDatasets.open(HubDatasetsTest.spec(),
        new HubSettings(hub.endpoint(), null, false, otherCache), progress::add, FAST, Duration.ofSeconds(5),
        Duration.ZERO))
        .isInstanceOf(HubUnavailableException.class)
        .hasMessage("cannot ask about someone/shapes at " + hub.endpoint() + " after 3 attempts: HTTP 503: Service unavailable");
    // each failed attempt is said at once (log and status), not only the last one
    assertThat(progress).contains(
        "cannot ask about someone/shapes at " + hub.endpoint() + " (attempt 1 of 3: HTTP 503: Service unavailable);"
            + " retrying in 10 ms",
        "cannot ask about someone/shapes at " + hub.endpoint() + " (attempt 2 of 3: HTTP 503: Service unavailable);"
            + " retrying in 20 ms");
  }

  @Test
  void aHubThatCannotBeReachedIsNamedWithWhyAndWhatToDo() throws IOException {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String refusing = "http://127.0.0.1:" + closedPort;
    String advice = "; this machine cannot reach the Hub: check its network, point HF_ENDPOINT at a reachable mirror,"
        + " or set HF_HUB_OFFLINE=1 to train from a cache that holds the data set";

    assertThatThrownBy(() -> HubDatasets.open(HubDatasetsTest.spec(), new HubSettings(refusing, null, false,
        tmp.resolve("refused")), progress::add, FAST, Duration.ofSeconds(5), Duration.ZERO))
        .isInstanceOf(HubUnavailableException.class)
        .hasMessage("cannot ask about someone/shapes at " + refusing + " after 3 attempts: cannot connect to 127.0.0.1:"
            + closedPort + " (connection refused or no route)" + advice);
    assertThat(progress).contains("cannot ask about someone/shapes at " + refusing + " (attempt 1 of 3: cannot connect"
        + " to 127.0.0.1:" + closedPort + " (connection refused or no route)); retrying in 10 ms");

    String unknown = "http://no-such-hub.invalid"; // .invalid never resolves (RFC 2606)
    assertThatThrownBy(() -> HubDatasets.open(HubDatasetsTest.spec(), new HubSettings(unknown, null, false,
        tmp.resolve("unknown")), progress::add, FAST, Duration.ofSeconds(5), Duration.ZERO))
        .isInstanceOf(HubUnavailableException.class)
        .hasMessage("cannot ask about someone/shapes at " + unknown + " after 3 attempts: unknown host"
            + " no-such-hub.invalid (no DNS answer)" + advice);
  }

  @Test
  void theParquetConversionBranchServesARepositoryWithoutParquetFiles() throws IOException {
    String converted = "c".repeat(40);
    hub.repo("someone/scripted")
        .commit("main", "b".repeat(40), FakeHub.files("scripted.py", "# a loading script\n".getBytes()))
        .commit(HubDatasets.PARQUET_BRANCH, converted, FakeHub.files(
            "default/train/0000.parquet", train0, "default/test/0000.parquet", validation));
    DatasetSpec spec = HubDatasetsTest.spec();
    spec.source = "someone/scripted";

    DatasetSplits splits = HubDatasets.open(spec, settings(null, false), progress::add, FAST, Duration.ofSeconds(5),
        Duration.ZERO);

    assertThat(splits.train().size()).isEqualTo(6);
    assertThat(hub.requests()).anyMatch(r -> r.path().contains("/revision/refs%2Fconvert%2Fparquet"));
    assertThat(tmp.resolve("hub/datasets--someone--scripted/refs/refs/convert/parquet")).hasContent(converted);
  }

  @Test
  void processesSharingACacheDownloadEachFileOnce() throws Exception {
    List<CompletableFuture<DatasetSplits>> workers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      workers.add(CompletableFuture.supplyAsync(() -> open(settings(null, false))));
    }
    for (CompletableFuture<DatasetSplits> worker : workers) {
      assertThat(worker.get().train().size()).isEqualTo(12);
    }

    assertThat(hub.downloadsOf(FakeHub.sha256(train0))).hasSize(1);
    assertThat(hub.downloadsOf(FakeHub.sha256(validation))).hasSize(1);
  }

  @Test
  void aFinishedDownloadIsReadWhileAnotherProcessHoldsTheLock() throws Exception {
    open(settings(null, false));
    progress.clear();
    Path lockFile = tmp.resolve("hub/datasets--someone--shapes/.download.lock");
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // another thread holds the lock, as the pod's launcher or a neighbour rank would
    CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> {
      try (DownloadLock lock = DownloadLock.acquire(lockFile, Duration.ofMillis(10), () -> { })) {
        locked.countDown();
        release.await();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try {
      assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
      DatasetSplits splits = CompletableFuture.supplyAsync(() -> open(settings(null, false))).get(20, TimeUnit.SECONDS);
      assertThat(splits.train().size()).isEqualTo(12);
    } finally {
      release.countDown();
      holder.get(10, TimeUnit.SECONDS);
    }
    assertThat(progress).noneMatch(line -> line.startsWith("waiting for another process"))
        .anyMatch(line -> line.startsWith("someone/shapes: the 3 shards of the two splits ("));
  }

  private DatasetSplits open(HubSettings settings) {
    return HubDatasets.open(HubDatasetsTest.spec(), settings, progress::add, FAST, Duration.ofSeconds(5),
        Duration.ZERO);
  }

  private HubSettings settings(String token, boolean offline) {
    return new HubSettings(hub.endpoint(), token, offline, tmp.resolve("hub"));
  }

  private byte[] shard(String name, List<ParquetFiles.Row> rows) throws IOException {
    Path file = tmp.resolve("shards/" + name + ".parquet");
    ParquetFiles.write(file, rows, HubDatasetsTest.CLASSES);
    return Files.readAllBytes(file);
  }
}
