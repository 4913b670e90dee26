package dev.contrastive.trainer.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.contrastive.trainer.train.Neighbours;
import dev.contrastive.trainer.train.TrainingRun;
import dev.contrastive.trainer.train.TrainingState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A tracking server that fails or hangs never stops or slows training. */
class TrackingResilienceTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final TrackedRun run = new TrackedRun("exp", "tiny", Map.of("optimizer.lr", "0.3"), Map.of(), Path.of("/c"));

  @Test
  void aServerAnsweringErrorsIsCountedAndTrainingGoesOn() throws Exception {
    try (FakeMlflowServer server = new FakeMlflowServer().mode(FakeMlflowServer.Mode.FAILING)) {
      Tracking tracking = new Tracking(run, List.of(new MlflowBackend(server.uri(), Map.of())), registry, 16,
          Duration.ofSeconds(20));

      for (int step = 1; step <= 3; step++) {
        tracking.logged(0, step, 3.0, 100.0, 0.3f);
      }
      tracking.finished(new TrainingRun.Result(new TrainingState(1, 3, 0), 3.0, null, null), true, null);
      tracking.close();

      // start, 3 log lines and the end each failed (the client retried each 3 times)
      assertThat(registry.get("contrastive.tracking.errors").tag("backend", "mlflow").counter().count()).isEqualTo(5);
      assertThat(server.requests()).isNotEmpty();
    }
  }

  @Test
  void aHangingServerNeitherBlocksTheTrainingThreadNorTheEndOfTheRun() throws Exception {
    try (FakeMlflowServer server = new FakeMlflowServer().mode(FakeMlflowServer.Mode.HANGING)) {
      Tracking tracking = new Tracking(run, List.of(new MlflowBackend(server.uri(), Map.of())), registry, 4,
          Duration.ofSeconds(2));
      // the backend's thread now hangs in its first call (creating the run)
      await().atMost(Duration.ofSeconds(10)).until(() -> !server.requests().isEmpty());

      long start = System.nanoTime();
      for (int step = 1; step <= 20; step++) {
        tracking.logged(0, step, 3.0, 100.0, 0.3f);
      }
      long loggingMillis = (System.nanoTime() - start) / 1_000_000;
      long closing = System.nanoTime();
      tracking.close();
      long closeMillis = (System.nanoTime() - closing) / 1_000_000;

      assertThat(loggingMillis).isLessThan(5_000); // 20 offers to a queue; a blocked call would never return
      assertThat(closeMillis).isBetween(1_500L, 30_000L); // the bounded wait, then given up
      // 4 log lines fit in the queue, the other 16 (3 points each) and the end are dropped
      assertThat(registry.get("contrastive.tracking.dropped.points").tag("backend", "mlflow").counter().count())
          .isEqualTo(16 * 3 + 1);
    }
  }

  @Test
  void pointsDroppedWhileTheServerIsDownAreCountedInTheMetricAndLoggedOnce() throws Exception {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (FakeMlflowServer server = new FakeMlflowServer().mode(FakeMlflowServer.Mode.HANGING);
        CapturedLog log = CapturedLog.start()) {
      Tracking tracking = new Tracking(run, List.of(new MlflowBackend(server.uri(), Map.of())), prometheus, 2,
          Duration.ofSeconds(1));
      // the backend's thread now waits for an answer to its first call (creating the run)
      await().atMost(Duration.ofSeconds(30)).until(() -> !server.requests().isEmpty());

      for (int step = 1; step <= 10; step++) { // 2 fit in the queue, 8 are dropped
        tracking.logged(0, step, 3.0, 100.0, 0.3f);
      }
      tracking.evaluated(0, 10, 0.5, Neighbours.NONE); // 1 more point dropped
      tracking.close(); // the end (1 point) is dropped too

      assertThat(prometheus.scrape())
          .contains("contrastive_tracking_dropped_points_total{backend=\"mlflow\"} " + (8 * 3 + 1 + 1) + ".0");
      assertThat(log.lines()).filteredOn(line -> line.contains("dropping points")).singleElement()
          .satisfies(line -> assertThat(line).contains("mlflow").contains("contrastive_tracking_dropped_points_total"));
    }
  }

  @Test
  void aServerThatRefusesConnectionsFailsEachCallCountedAndLoggedOnceDroppingNothing() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (CapturedLog log = CapturedLog.start()) {
      Tracking tracking = new Tracking(run, List.of(new MlflowBackend("http://127.0.0.1:" + closedPort, Map.of())),
          registry, 64, Duration.ofSeconds(60));
      for (int step = 1; step <= 10; step++) {
        tracking.logged(0, step, 3.0, 100.0, 0.3f);
      }
      tracking.close();

      // the start, 10 log lines and the end: each failed at once, none dropped
      assertThat(registry.get("contrastive.tracking.errors").tag("backend", "mlflow").counter().count()).isEqualTo(12);
      assertThat(registry.get("contrastive.tracking.dropped.points").tag("backend", "mlflow").counter().count())
          .isZero();
      // This backend's lines only: an earlier test's bounded close can leave its worker printing
      // ("Connection pool shut down") into this capture of System.out.
      assertThat(log.lines()).filteredOn(line -> line.contains("failed, training goes on"))
          .filteredOn(line -> line.contains(":" + closedPort)).hasSize(1);
    }
  }

  /** What the trainer logs (slf4j-simple writes to System.out) while it is open. */
  private static final class CapturedLog implements AutoCloseable {
    private final PrintStream original = System.out;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    static CapturedLog start() {
      CapturedLog log = new CapturedLog();
      System.setOut(new PrintStream(new TeeStream(log.original, log.bytes), true, StandardCharsets.UTF_8));
      return log;
    }

    List<String> lines() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
      }
    }

    @Override
    public void close() {
      System.setOut(original);
    }
  }

  /** Writes to the console and to the captured bytes. */
  private static final class TeeStream extends java.io.OutputStream {
    private final PrintStream console;
    private final ByteArrayOutputStream copy;

    TeeStream(PrintStream console, ByteArrayOutputStream copy) {
      this.console = console;
      this.copy = copy;
    }

    @Override
    public void write(int b) {
      console.write(b);
      synchronized (copy) {
        copy.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      console.write(b, off, len);
      synchronized (copy) {
        copy.write(b, off, len);
      }
    }
  }
}
