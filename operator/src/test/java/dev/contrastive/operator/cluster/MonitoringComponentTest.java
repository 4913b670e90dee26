package dev.contrastive.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.testing.GrafanaDashboards;
import dev.contrastive.operator.plan.WorkerPods;
import dev.contrastive.operator.plan.World;
import dev.contrastive.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/components/monitoring, built by kubectl's kustomize into an overlay of deploy/ as a user
 * would: its PodMonitor finds every trainer process of the pods the operator makes, its
 * ServiceMonitor the operator's /q/metrics, and the dashboards ship as Grafana sidecar ConfigMaps.
 */
class MonitoringComponentTest {

  static final Path DEPLOY = Path.of("../deploy");
  private static final Path OVERLAY = Path.of("target/monitoring-overlay");

  private static List<JsonNode> objects;

  @BeforeAll
  static void build() throws Exception {
    objects = new ArrayList<>();
    var parser = new YAMLFactory().createParser(render());
    new ObjectMapper(new YAMLFactory()).readValues(parser, JsonNode.class).forEachRemaining(objects::add);
  }

  /** kubectl kustomize of an overlay with deploy/ as base and the monitoring component. */
  static String render() throws Exception {
    Files.createDirectories(OVERLAY);
    Path base = OVERLAY.toAbsolutePath().relativize(DEPLOY.toAbsolutePath().normalize());
    Files.writeString(OVERLAY.resolve("kustomization.yaml"), """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - %s
        components:
          - %s/components/monitoring
        """.formatted(base, base));
    Process process = new ProcessBuilder("kubectl", "kustomize", OVERLAY.toString()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  @Test
  void podMonitorScrapesEveryProcessOfEveryWorkerPodInAnyNamespace() {
    ContrastiveTrainingRun run = Fixtures.run("simclr", "team-a");
    run.getSpec().resources.gpusPerNode = 2;
    Pod worker = WorkerPods.pod(run, World.pinned(List.of("gpu-a")), 0);
    JsonNode monitor = object("PodMonitor", "contrastive-trainers");

    assertThat(monitor.at("/spec/namespaceSelector/any").asBoolean()).isTrue();
    assertThat(selects(monitor.at("/spec/selector"), worker.getMetadata().getLabels())).isTrue();
    assertThat(selects(monitor.at("/spec/selector"), Map.of("app.kubernetes.io/name", "contrastive-operator"))).isFalse();
    JsonNode endpoint = monitor.at("/spec/podMetricsEndpoints/0");
    assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
    JsonNode keep = endpoint.at("/relabelings/0");
    assertThat(keep.path("action").asText()).isEqualTo("keep");
    assertThat(keep.at("/sourceLabels/0").asText()).isEqualTo("__meta_kubernetes_pod_container_port_name");
    // Prometheus anchors relabelling regexes at both ends.
    Pattern kept = Pattern.compile(keep.path("regex").asText());
    List<ContainerPort> ports = worker.getSpec().getContainers().get(0).getPorts();
    assertThat(ports.stream().filter(p -> kept.matcher(p.getName()).matches()).map(ContainerPort::getContainerPort))
        .containsExactly(9400, 9401);
    assertThat(ports).extracting(ContainerPort::getName).contains("rendezvous");
  }

  @Test
  void serviceMonitorReachesTheOperatorsQuarkusMetrics() throws IOException {
    JsonNode deployment = object("Deployment", "contrastive-operator");
    JsonNode service = object("Service", "contrastive-operator-metrics");
    JsonNode monitor = object("ServiceMonitor", "contrastive-operator");

    assertThat(selects(monitor.at("/spec/selector"), labels(service.at("/metadata/labels")))).isTrue();
    assertThat(selects(service.at("/spec/selector"), labels(deployment.at("/spec/template/metadata/labels")))).isTrue();
    assertThat(service.at("/metadata/namespace").asText()).isEqualTo(deployment.at("/metadata/namespace").asText());
    String targetPort = service.at("/spec/ports/0/targetPort").asText();
    assertThat(deployment.at("/spec/template/spec/containers/0/ports")).extracting(p -> p.path("name").asText())
        .contains(targetPort);
    assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo(service.at("/spec/ports/0/name").asText());
    assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
  }

  @Test
  void dashboardsShipAsGrafanaSidecarConfigMap() throws IOException {
    JsonNode dashboards = object("ConfigMap", "contrastive-dashboards");

    assertThat(dashboards.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
    for (String file : List.of("contrastive-run.json", "contrastive-operator.json")) {
      String json = dashboards.path("data").path(file).asText();
      assertThat(new ObjectMapper().readTree(json))
          .isEqualTo(new ObjectMapper().readTree(GrafanaDashboards.FOLDER.resolve(file).toFile()));
    }
  }

  @Test
  void theBaseAloneHasNoMonitoringObjects() throws Exception {
    Process process = new ProcessBuilder("kubectl", "kustomize", DEPLOY.toString()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(output).doesNotContain("kind: PodMonitor", "kind: ServiceMonitor", "monitoring.coreos.com");
  }

  private static JsonNode object(String kind, String name) {
    return objects.stream()
        .filter(o -> kind.equals(o.path("kind").asText()) && name.equals(o.at("/metadata/name").asText()))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in the overlay"));
  }

  private static Map<String, String> labels(JsonNode labels) throws IOException {
    return new YAMLMapper().convertValue(labels, new com.fasterxml.jackson.core.type.TypeReference<>() {});
  }

  /** A label selector (matchLabels, matchExpressions with Exists/In; or a Service's plain map) on labels. */
  private static boolean selects(JsonNode selector, Map<String, String> labels) {
    boolean plain = !selector.has("matchLabels") && !selector.has("matchExpressions");
    JsonNode matchLabels = plain ? selector : selector.path("matchLabels");
    var fields = matchLabels.fields();
    while (fields.hasNext()) {
      var field = fields.next();
      if (!field.getValue().asText().equals(labels.get(field.getKey()))) {
        return false;
      }
    }
    for (JsonNode expression : selector.path("matchExpressions")) {
      String key = expression.path("key").asText();
      boolean ok = switch (expression.path("operator").asText()) {
        case "Exists" -> labels.containsKey(key);
        case "In" -> labels.containsKey(key) && java.util.stream.StreamSupport
            .stream(expression.path("values").spliterator(), false).anyMatch(v -> v.asText().equals(labels.get(key)));
        default -> throw new AssertionError("selector operator not understood here: " + expression);
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
