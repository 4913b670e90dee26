package dev.contrastive.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.trainer.train.Neighbours;
import dev.contrastive.trainer.train.StepStats;
import dev.contrastive.trainer.train.TrainingState;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scrape of a trainer's /metrics: the series a dashboard reads, labelled with run and rank. */
class MetricsEndpointTest {

  private static final String LABELS = "{rank=\"1\",run=\"tiny\"}";

  @Test
  void scrapeShowsTrainingSeriesWithRunAndRankLabels(@TempDir Path dir) throws Exception {
    Path checkpoint = Files.createDirectory(dir.resolve("ckpt-e00001-s0000000002"));
    Instant now = Instant.parse("2026-01-01T10:00:00Z");
    Files.setLastModifiedTime(checkpoint, FileTime.from(now.minusSeconds(90)));
    PrometheusMeterRegistry registry = TrainerRegistry.create("tiny", 1);
    TrainerMetrics metrics = new TrainerMetrics(registry, Clock.fixed(now, ZoneOffset.UTC));
    metrics.started(8, 4, new TrainingState(1, 2, 7), checkpoint);
    StepStats stats = new StepStats(
        TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.MILLISECONDS.toNanos(40),
        TimeUnit.MILLISECONDS.toNanos(7), TimeUnit.MILLISECONDS.toNanos(3), 4096);
    metrics.stepped(1, 3, 2.5f, 0.05f, 8, stats);
    metrics.stepped(1, 4, 2.25f, 0.04f, 8, stats);
    metrics.logged(1, 4, 2.3, 100.0, 0.04f);
    metrics.evaluated(1, 4, 0.75, Neighbours.NONE);

    try (MetricsEndpoint endpoint = MetricsEndpoint.start(registry, 0).orElseThrow()) {
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValue(MetricsEndpoint.CONTENT_TYPE);
      assertThat(response.body().lines()).contains(
          "contrastive_train_loss" + LABELS + " 2.25",
          "contrastive_train_learning_rate" + LABELS + " 0.03999999910593033",
          "contrastive_train_epoch" + LABELS + " 2.0",
          "contrastive_train_step" + LABELS + " 4.0",
          "contrastive_train_knn_top1" + LABELS + " 0.75",
          "contrastive_train_checkpoint_age_seconds" + LABELS + " 90.0",
          "contrastive_train_steps_total" + LABELS + " 2.0",
          "contrastive_train_images_total" + LABELS + " 16.0",
          "contrastive_train_allreduce_bytes_total" + LABELS + " 8192.0",
          "contrastive_train_step_phase_seconds_count{phase=\"all_reduce\",rank=\"1\",run=\"tiny\"} 2",
          "contrastive_train_step_phase_seconds_sum{phase=\"forward_backward\",rank=\"1\",run=\"tiny\"} 0.08",
          "contrastive_train_step_phase_seconds_sum{phase=\"data_wait\",rank=\"1\",run=\"tiny\"} 0.01");
      assertThat(response.body()).containsPattern("(?m)^contrastive_train_images_per_second\\Q" + LABELS + "\\E \\d");
      assertThat(response.body()).containsPattern("(?m)^process_resident_memory_bytes\\Q" + LABELS + "\\E \\d\\.\\d+E\\d+$");
    }
  }

  @Test
  void aTakenPortCostsTheEndpointNotTheProcess() throws IOException {
    try (ServerSocket taken = new ServerSocket(0)) {
      assertThat(MetricsEndpoint.start(TrainerRegistry.create("tiny", 0), taken.getLocalPort())).isEmpty();
    }
  }
}
