package dev.contrastive.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.testing.Fixtures;
import dev.contrastive.operator.testing.PodStates;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The Quarkus operator as packaged, against the Fabric8 mock server in CRUD mode. */
@Tag("slow")
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class MockServerReconcileTest extends ReconcileBehaviour {

  @Inject
  KubernetesClient client;

  @TestHTTPResource("/q/metrics")
  URL metrics;

  @Override
  protected KubernetesClient client() {
    return client;
  }

  /** The series of docs/observability.md, as Prometheus scrapes them from the packaged operator. */
  @Test
  void operatorMetricsCountRunsByPhaseRestartsAndTimeToRunning() throws Exception {
    double restartsBefore = value(scrape(), "contrastive_operator_gang_restarts_total\\{reason=\"ExitCode\"\\}");
    double startsBefore = value(scrape(), "contrastive_operator_run_time_to_running_seconds_count");
    gpuNode("a", 1);
    createRun("simclr");
    List<Pod> pods = awaitPods("simclr", 1);
    setPodStatus(pods.get(0), PodStates.running());
    awaitPhase("simclr", Phase.Running);

    setPodStatus(pods.get(0), PodStates.failed(1, "Error"));

    await().atMost(WAIT).untilAsserted(() -> {
      String scraped = scrape();
      assertThat(value(scraped, "contrastive_operator_gang_restarts_total\\{reason=\"ExitCode\"\\}"))
          .isEqualTo(restartsBefore + 1);
      assertThat(value(scraped, "contrastive_operator_run_time_to_running_seconds_count")).isEqualTo(startsBefore + 1);
      assertThat(value(scraped, "contrastive_operator_runs\\{phase=\"Pending\"\\}")).isGreaterThanOrEqualTo(1);
      assertThat(value(scraped, "contrastive_operator_reconcile_seconds_count")).isPositive();
      assertThat(scraped).contains("contrastive_operator_run_time_to_running_seconds_bucket{le=\"30.0\"}");
    });
  }

  /** The real API server refuses such a name (ApiServerValidationTest); without the CRD's schema the operator does. */
  @Test
  void aRunNameTooLongForItsWorkersFailsTheRunAndCreatesNothing() {
    gpuNode("a", 1);
    String name = "r".repeat(52);

    createRun(name);

    ContrastiveTrainingRun failed = awaitPhase(name, Phase.Failed);
    assertThat(condition(failed, "Failed").getReason()).isEqualTo("InvalidSpec");
    assertThat(failed.getStatus().message).startsWith("metadata.name '" + name + "' has 52 characters; at most 51");
    assertThat(pods(name)).isEmpty();
    assertThat(client.configMaps().inNamespace(namespace).list().getItems())
        .noneMatch(c -> c.getMetadata().getName().startsWith(name));
    assertThat(client.serviceAccounts().inNamespace(namespace).list().getItems())
        .noneMatch(a -> a.getMetadata().getName().startsWith(name));
  }

  private String scrape() throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(metrics.toString())).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** The sample of the series matching {@code series}; 0 when absent (a counter not yet incremented). */
  private static double value(String scraped, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(scraped);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /**
   * A cluster whose CRD predates the preset enum (or any server that does not validate, as this
   * mock) lets an unknown preset through; the operator still fails the run naming the field. A real
   * API server with the current CRD refuses it at apply (ApiServerValidationTest).
   */
  @Test
  void unknownPresetFailsTheRunNamingTheField() {
    gpuNode("a", 1);
    ContrastiveTrainingRun run = Fixtures.run("simclr", namespace);
    run.getSpec().architecture.preset = "resnet1000";

    create(run);

    ContrastiveTrainingRun failed = awaitPhase("simclr", Phase.Failed);
    assertThat(condition(failed, "Failed").getReason()).isEqualTo("InvalidConfig");
    assertThat(failed.getStatus().message).contains("spec.architecture.preset", "resnet1000");
    assertThat(pods("simclr")).isEmpty();
  }
}
