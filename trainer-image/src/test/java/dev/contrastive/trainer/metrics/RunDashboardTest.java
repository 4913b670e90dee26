package dev.contrastive.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.ConfigOverrides;
import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.RunFiles;
import dev.contrastive.api.testing.GrafanaDashboards;
import dev.contrastive.api.testing.GrafanaDashboards.Query;
import dev.contrastive.trainer.observe.Observability;
import dev.contrastive.trainer.observe.Observers;
import dev.contrastive.trainer.train.Neighbours;
import dev.contrastive.trainer.train.StepStats;
import dev.contrastive.trainer.train.TrainingState;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run's Grafana dashboard reads only series a trainer process serves at /metrics (wired as
 * training wires it, tracking on), and all the issue asks a run's dashboard to show.
 */
class RunDashboardTest {

  private static final Path DASHBOARD = GrafanaDashboards.FOLDER.resolve("contrastive-run.json");

  @Test
  void everyQueryReadsSeriesATrainerProcessServes(@TempDir Path dir) throws Exception {
    Set<String> served = GrafanaDashboards.sampleNames(scrapeOfATrainingProcess(dir));

    List<Query> queries = GrafanaDashboards.queries(DASHBOARD);
    assertThat(queries).hasSizeGreaterThanOrEqualTo(10);
    for (Query query : queries) {
      Set<String> names = GrafanaDashboards.metricNames(query.promql());
      assertThat(names).as("metrics of panel '%s': %s", query.panel(), query.promql()).isNotEmpty();
      assertThat(served).as("panel '%s' reads %s", query.panel(), names).containsAll(names);
    }
    Set<String> read = queries.stream().flatMap(q -> GrafanaDashboards.metricNames(q.promql()).stream())
        .collect(Collectors.toSet());
    assertThat(read).contains("contrastive_train_loss", "contrastive_train_knn_top1",
        "contrastive_train_images_per_second", "contrastive_train_step_phase_seconds_sum",
        "contrastive_train_step_phase_seconds_count", "contrastive_train_allreduce_bytes_total",
        "contrastive_train_checkpoint_age_seconds", "process_resident_memory_bytes",
        "contrastive_tracking_dropped_points_total");
  }

  @Test
  void panelsFilterByTheDashboardsNamespaceAndRun() throws Exception {
    for (Query query : GrafanaDashboards.queries(DASHBOARD)) {
      if (query.panel().startsWith("$")) {
        continue;
      }
      assertThat(query.promql()).as(query.panel()).contains("namespace=\"$namespace\", run=\"$run\"");
    }
  }

  /**
   * One scrape of rank 0's /metrics after a step, a log line, an evaluation and a checkpoint, on a
   * GPU process (the device memory series exist there; NaN here without CUDA).
   */
  private static String scrapeOfATrainingProcess(Path dir) throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    ContrastiveTrainingRun run = RunFiles.load(Path.of("src/test/resources/runs/tiny.yaml"));
    run.setSpec(ConfigResolver.resolve(ConfigOverrides.apply(run.getSpec(), List.of(
        "checkpoint.mountPath=" + dir, "metrics.port=" + port, "tracking.tensorboard.enabled=true"))));
    try (Observers observers = Observability.start(run, 0, 2, Device.gpu(0), Map.of())) {
      observers.started(4, 2, new TrainingState(0, 0, 7), null);
      observers.stepped(0, 1, 4.1f, 0.05f, 8, new StepStats(1_000, 2_000_000, 300_000, 50_000, 4096));
      observers.logged(0, 1, 4.1, 16.0, 0.05f);
      observers.evaluated(0, 1, 0.5, Neighbours.NONE);
      observers.checkpointed(1, Files.createDirectories(dir.resolve("ckpt-e00001-s0000000001")));
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      return response.body();
    }
  }
}
