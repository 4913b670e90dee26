package dev.contrastive.trainer.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.contrastive.trainer.train.TrainingRun;
import dev.contrastive.trainer.train.TrainingState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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

      assertThat(loggingMillis).isLessThan(1000);
      assertThat(closeMillis).isBetween(1_500L, 10_000L); // the bounded wait, then given up
      // 4 log lines fit in the queue, the other 16 (3 points each) and the end are dropped
      assertThat(registry.get("contrastive.tracking.dropped.points").tag("backend", "mlflow").counter().count())
          .isEqualTo(16 * 3 + 1);
    }
  }
}
