package dev.contrastive.api.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The metric names the dashboard tests hold against the code are the ones a query reads. */
class GrafanaDashboardsTest {

  @Test
  void metricNamesSkipFunctionsGroupingLabelsRangesAndVariables() {
    assertThat(GrafanaDashboards.metricNames(
        "sum by (phase) (rate(step_seconds_sum{run=\"$run\", phase=~\"a|b\"}[$__rate_interval]))"
            + " / sum without (rank) (rate(step_seconds_count[5m]))"))
        .containsExactly("step_seconds_sum", "step_seconds_count");
    assertThat(GrafanaDashboards.metricNames(
        "histogram_quantile(0.95, sum by (le) (rate(wait_seconds_bucket[1h]))) > bool 1e3"))
        .containsExactly("wait_seconds_bucket");
    assertThat(GrafanaDashboards.metricNames("loss{rank='0'} and on (run) up offset 5m"))
        .containsExactly("loss", "up");
  }

  @Test
  void sampleNamesOfAScrape() {
    assertThat(GrafanaDashboards.sampleNames("""
        # HELP x_total help
        # TYPE x_total counter
        x_total{rank="0"} 1.0
        y 2
        """)).containsExactly("x_total", "y");
  }
}
