package dev.contrastive.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.testing.GrafanaDashboards;
import dev.contrastive.api.testing.GrafanaDashboards.Query;
import dev.contrastive.local.LocalCluster;
import dev.contrastive.local.api.ApiServerChoice;
import dev.contrastive.local.pods.ContainerCommands;
import dev.contrastive.local.pods.TrainerCommand;
import dev.contrastive.local.prometheus.PrometheusServer;
import dev.contrastive.local.run.RunFile;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus scrapes the trainer processes of a local-mode run (the targets the local
 * cluster lists, as a PodMonitor would find them in a cluster): the loss series of rank 0 and
 * rank 1 are there, both ranks count the gradient bytes they all-reduce, and every query of the
 * run's Grafana dashboard answers.
 */
@Tag("slow")
class PrometheusScrapeTest {

  private static final String NAMESPACE = "prom";
  private static final String RUN = "tiny";

  private static Path prometheusBinary;
  private static LocalCluster cluster;
  private static Path work;

  @BeforeAll
  static void startCluster() throws Exception {
    prometheusBinary = PrometheusServer.binaryOrSkip();
    Path repoRoot = Path.of(System.getProperty("repo.root", ".."));
    work = Files.createTempDirectory("prometheus-e2e-");
    ContrastiveTrainingRun template = RunFile.load(Path.of("src/test/resources/e2e/tiny.yaml"));
    ContainerCommands commands = new ContainerCommands().map(template.getSpec().image, TrainerCommand.fromBuild(repoRoot));
    cluster = LocalCluster.start(
        ApiServerChoice.start(ApiServerChoice.Mode.real, work.resolve("kubeconfig"), System.getenv(), System.out::println),
        2, 1, commands, work, work, System.out);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close(); // stops the run's trainers, which train until then
    }
  }

  @Test
  void prometheusHasTheLossOfRankZeroAndOneAndEveryDashboardQueryAnswers() throws Exception {
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata()
        .build()).create();
    ContrastiveTrainingRun run = RunFile.load(Path.of("src/test/resources/e2e/tiny.yaml"));
    run.getMetadata().setNamespace(NAMESPACE);
    run.getSpec().trainer.maxEpochs = 1000; // trains until the test has seen what it needs
    run.getSpec().trainer.evaluationIntervalEpochs = 1;
    run.getSpec().tracking.tensorboard.enabled = true;

    try (PrometheusServer prometheus = PrometheusServer.start(prometheusBinary, cluster.pods().metricsTargets(),
        Files.createDirectories(work.resolve("prometheus-server")))) {
      cluster.client().resource(run).create();

      String loss = "contrastive_train_loss{namespace=\"" + NAMESPACE + "\", run=\"" + RUN + "\"}";
      Map<String, Double> lossByRank = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
          .until(() -> byRank(prometheus.query(loss)), ranks -> ranks.keySet().equals(java.util.Set.of("0", "1"))
              && ranks.values().stream().allMatch(v -> Double.isFinite(v) && v > 0));
      System.out.println("prometheus: loss by rank " + lossByRank);
      // each rank hands its gradients to the all-reduce every step, so both count bytes
      String allReduced = "contrastive_train_allreduce_bytes_total{namespace=\"" + NAMESPACE + "\", run=\"" + RUN + "\"}";
      Map<String, Double> bytesByRank = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
          .until(() -> byRank(prometheus.query(allReduced)), ranks -> ranks.keySet().equals(java.util.Set.of("0", "1"))
              && ranks.values().stream().allMatch(v -> v > 0));
      System.out.println("prometheus: all-reduced bytes by rank " + bytesByRank);

      List<Query> panels = GrafanaDashboards.queries(GrafanaDashboards.FOLDER.resolve("contrastive-run.json"))
          .stream().filter(q -> !q.panel().startsWith("$"))
          // only GPU processes export their device's memory (RunDashboardTest checks those names)
          .filter(q -> GrafanaDashboards.metricNames(q.promql()).stream().noneMatch(n -> n.contains("device_memory")))
          .toList();
      List<String> unanswered = new ArrayList<>();
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
        unanswered.clear();
        for (Query panel : panels) {
          if (prometheus.query(forRun(panel.promql())).isEmpty()) {
            unanswered.add(panel.panel() + ": " + forRun(panel.promql()));
          }
        }
        assertThat(unanswered).as("dashboard queries without data").isEmpty();
      });
      // NaN until the first evaluation, at the end of epoch 1
      String knn = "contrastive_train_knn_top1{namespace=\"" + NAMESPACE + "\", rank=\"0\"}";
      double top1 = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
          .until(() -> prometheus.query(knn).at("/0/value/1").asDouble(Double.NaN), Double::isFinite);
      assertThat(top1).isBetween(0.0, 1.0);
    }
  }

  /** A dashboard query as Grafana sends it for this run. */
  private static String forRun(String promql) {
    return promql.replace("$namespace", NAMESPACE).replace("$run", RUN).replace("$__rate_interval", "10s");
  }

  private static Map<String, Double> byRank(JsonNode result) {
    Map<String, Double> values = new TreeMap<>();
    for (JsonNode series : result) {
      values.put(series.at("/metric/rank").asText(), Double.parseDouble(series.at("/value/1").asText()));
    }
    return values;
  }
}
