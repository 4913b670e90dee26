package dev.contrastive.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.api.testing.GrafanaDashboards;
import dev.contrastive.api.testing.GrafanaDashboards.Query;
import dev.contrastive.operator.observe.GangState.WorkerFailure;
import dev.contrastive.operator.testing.Fixtures;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The operator's Grafana dashboard reads only series the operator exports, and all of the issue's. */
class OperatorDashboardTest {

  private static final Path DASHBOARD = GrafanaDashboards.FOLDER.resolve("contrastive-operator.json");

  @Test
  void everyQueryReadsSeriesTheOperatorExports() throws Exception {
    Set<String> exported = GrafanaDashboards.sampleNames(scrapeWithEverySeries());

    List<Query> queries = GrafanaDashboards.queries(DASHBOARD);
    assertThat(queries).hasSizeGreaterThanOrEqualTo(6);
    for (Query query : queries) {
      Set<String> names = GrafanaDashboards.metricNames(query.promql());
      assertThat(names).as("metrics of panel '%s': %s", query.panel(), query.promql()).isNotEmpty();
      assertThat(exported).as("panel '%s' reads %s", query.panel(), names).containsAll(names);
    }
    Set<String> read = queries.stream().flatMap(q -> GrafanaDashboards.metricNames(q.promql()).stream())
        .collect(Collectors.toSet());
    assertThat(read).contains("contrastive_operator_runs", "contrastive_operator_gang_restarts_total",
        "contrastive_operator_reconcile_seconds_bucket", "contrastive_operator_reconcile_errors_total",
        "contrastive_operator_run_time_to_running_seconds_bucket");
  }

  /**
   * A scrape after every kind of event the operator counts (a reconcile, a failed one, a restart,
   * a start), on the registry Quarkus serves /q/metrics with (Micrometer's simpleclient one).
   */
  @SuppressWarnings("deprecation")
  private static String scrapeWithEverySeries() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = new OperatorMetrics(registry);
    ContrastiveTrainingRun run = Fixtures.run("simclr", "team-a");
    run.getMetadata().setCreationTimestamp("2026-01-01T10:00:00Z");
    metrics.countRunsFrom(() -> List.of(run).stream());
    metrics.timeReconcile(() -> "done");
    assertThatThrownBy(() -> metrics.timeReconcile(() -> {
      throw new IllegalStateException("conflict");
    })).isInstanceOf(IllegalStateException.class);
    metrics.gangRestarted(new WorkerFailure(1, "simclr-worker-1", "gpu-b", 1, "Error", null));
    ContrastiveTrainingRunStatus running = new ContrastiveTrainingRunStatus();
    running.phase = Phase.Running;
    metrics.statusChanged(run, null, running, Instant.parse("2026-01-01T10:01:00Z"));
    return registry.scrape();
  }
}
