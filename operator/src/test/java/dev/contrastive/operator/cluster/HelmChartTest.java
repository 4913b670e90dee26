package dev.contrastive.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.contrastive.operator.reconcile.ContrastiveTrainingRunReconciler;
import dev.contrastive.operator.startup.LeaderElection;
import dev.contrastive.operator.testing.Cli;
import dev.contrastive.operator.testing.Cli.Result;
import dev.contrastive.operator.testing.RealApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.runtime.configuration.DurationConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * charts/contrastive-operator installs what deploy/ installs: with default values `helm template`
 * gives the objects of `kubectl kustomize deploy/` (and, with the monitoring values, of the
 * monitoring component), differing only in Helm's own labels; `helm lint` passes and a real API
 * server accepts the rendered objects. The helm binary is $HELM, else scripts/fetch-helm.sh's.
 */
@Tag("slow")
class HelmChartTest {

  private static final Path CHART = Path.of("../charts/contrastive-operator");
  private static final String RELEASE = "contrastive-operator";
  private static final String NAMESPACE = "contrastive-system";
  /** What Helm charts add by convention, and the CRD's keep policy; deploy/ has none of them. */
  private static final Set<String> HELM_ONLY = Set.of("helm.sh/chart", "app.kubernetes.io/managed-by",
      "app.kubernetes.io/instance", "app.kubernetes.io/version", "helm.sh/resource-policy");
  private static final String[] ALL_MONITORING = {"monitoring.serviceMonitor.enabled=true",
      "monitoring.podMonitor.enabled=true", "monitoring.dashboards.enabled=true"};
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static String helm;

  @BeforeAll
  static void helmBinary() throws Exception {
    helm = Optional.ofNullable(System.getenv("HELM")).filter(h -> !h.isBlank()).orElse(null);
    if (helm == null) {
      Result fetched = Cli.run(null, "../scripts/fetch-helm.sh");
      assertThat(fetched.exitCode()).as(fetched.toString()).isZero();
      helm = fetched.output().strip().lines().reduce((a, b) -> b).orElseThrow();
    }
  }

  @Test
  void lintPasses() throws Exception {
    Result defaults = helm("lint", "--strict", CHART.toString());
    Result everything = helm(Stream.concat(Stream.of("lint", "--strict", CHART.toString()),
        Stream.of(ALL_MONITORING).flatMap(v -> Stream.of("--set", v))).toArray(String[]::new));

    assertThat(defaults.exitCode()).as(defaults.toString()).isZero();
    assertThat(everything.exitCode()).as(everything.toString()).isZero();
  }

  @Test
  void defaultValuesRenderWhatDeployInstalls() throws Exception {
    Map<String, JsonNode> kustomized = objects(Cli.kubectl(null, "kustomize", "../deploy").output());
    kustomized.remove("Namespace//" + NAMESPACE); // helm install --create-namespace, Argo CD's CreateNamespace

    assertThat(objects(template())).isEqualTo(kustomized);
  }

  @Test
  void monitoringValuesRenderWhatTheMonitoringComponentAdds() throws Exception {
    Map<String, JsonNode> kustomized = objects(MonitoringComponentTest.render());
    kustomized.remove("Namespace//" + NAMESPACE);

    assertThat(objects(template(ALL_MONITORING))).isEqualTo(kustomized);
  }

  @Test
  void renderedChartPassesServerDryRun() throws Exception {
    var client = RealApiServer.get().client();
    if (client.namespaces().withName(NAMESPACE).get() == null) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
          .create();
    }
    Cli.DryRun dryRun = Cli.serverDryRun(template("watchNamespaces={team-a,team-b}", "replicaCount=2",
        "leaderElection.leaseDuration=20s", "imagePullSecrets[0].name=registry",
        "extraEnv[0].name=JAVA_TOOL_OPTIONS", "extraEnv[0].value=-Xmx400m"));

    assertThat(dryRun.rest().exitCode()).as(dryRun.rest().toString()).isZero();
    assertThat(dryRun.rest().output()).contains("deployment.apps/contrastive-operator",
        "clusterrole.rbac.authorization.k8s.io/contrastive-operator", "role.rbac.authorization.k8s.io/contrastive-operator-leader-election");
    assertThat(dryRun.crd().exitCode()).as(dryRun.crd().toString()).isZero();
  }

  @Test
  void operatorSettingsReachTheOperatorsConfiguration() throws Exception {
    JsonNode deployment = objects(template("watchNamespaces={team-a,team-b}", "metricsNamespaces={monitoring,infra}",
        "leaderElection.leaseDuration=20s",
        "leaderElection.renewDeadline=12s", "leaderElection.retryPeriod=3s")).get("Deployment/" + NAMESPACE + "/" + RELEASE);
    Map<String, String> env = new TreeMap<>();
    deployment.at("/spec/template/spec/containers/0/env")
        .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));

    // Quarkus reads a property from the environment under its name with every other character '_', upper case.
    assertThat(env).containsEntry(envName("quarkus.operator-sdk.namespaces"), "team-a,team-b");
    assertThat(env).containsEntry(envName(ContrastiveTrainingRunReconciler.METRICS_NAMESPACES), "monitoring,infra");
    LeaderElectionConfiguration lease = LeaderElection.timed(
        duration(env.get(envName(LeaderElection.LEASE_DURATION))),
        duration(env.get(envName(LeaderElection.RENEW_DEADLINE))),
        duration(env.get(envName(LeaderElection.RETRY_PERIOD))));
    assertThat(lease.getLeaseDuration()).isEqualTo(Duration.ofSeconds(20));
    assertThat(lease.getRenewDeadline()).isEqualTo(Duration.ofSeconds(12));
    assertThat(lease.getRetryPeriod()).isEqualTo(Duration.ofSeconds(3));
    assertThat(LeaderElection.timed(Optional.empty(), Optional.empty(), Optional.empty()).getLeaseDuration())
        .isEqualTo(LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE);
  }

  @Test
  void argoCdApplicationRendersTheChartWithValuesItKnows() throws Exception {
    JsonNode application = YAML.readTree(Path.of("../deploy/argocd/application-helm.yaml").toFile());
    JsonNode values = YAML.readTree(CHART.resolve("values.yaml").toFile());
    JsonNode source = application.at("/spec/source");

    assertThat(Path.of("..").resolve(source.path("path").asText()).normalize()).isEqualTo(CHART.normalize());
    assertThat(source.at("/helm/releaseName").asText()).isEqualTo(RELEASE);
    assertThat(application.at("/spec/destination/namespace").asText()).isEqualTo(NAMESPACE);
    assertKnown(source.at("/helm/valuesObject"), values, "valuesObject");
    Path valuesFile = Files.createTempFile("argocd-values", ".yaml");
    Files.writeString(valuesFile, YAML.writeValueAsString(source.at("/helm/valuesObject")));
    Result rendered = helm("template", RELEASE, CHART.toString(), "-n", NAMESPACE, "-f", valuesFile.toString());
    assertThat(rendered.exitCode()).as(rendered.toString()).isZero();
  }

  private static void assertKnown(JsonNode given, JsonNode defaults, String path) {
    given.fieldNames().forEachRemaining(name -> {
      assertThat(defaults.has(name)).as("%s.%s is not a value of the chart", path, name).isTrue();
      if (given.get(name).isObject() && defaults.get(name).isObject() && !defaults.get(name).isEmpty()) {
        assertKnown(given.get(name), defaults.get(name), path + "." + name);
      }
    });
  }

  private static String envName(String property) {
    return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
  }

  private static Optional<Duration> duration(String value) {
    return Optional.ofNullable(value).map(DurationConverter::parseDuration);
  }

  private static String template(String... sets) throws Exception {
    List<String> args = new ArrayList<>(List.of("template", RELEASE, CHART.toString(), "-n", NAMESPACE));
    for (String set : sets) {
      args.addAll(List.of("--set", set));
    }
    Result rendered = helm(args.toArray(String[]::new));
    assertThat(rendered.exitCode()).as(rendered.toString()).isZero();
    return rendered.output();
  }

  /** kind/namespace/name -> the object without Helm's own labels and annotations. */
  private static Map<String, JsonNode> objects(String yaml) throws Exception {
    Map<String, JsonNode> objects = new TreeMap<>();
    var parser = new YAMLFactory().createParser(yaml);
    for (Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
      JsonNode object = it.next();
      if (object == null || object.isMissingNode() || object.isEmpty()) {
        continue;
      }
      withoutHelmKeys(object);
      objects.put(object.path("kind").asText() + "/" + object.at("/metadata/namespace").asText()
          + "/" + object.at("/metadata/name").asText(), object);
    }
    return objects;
  }

  private static void withoutHelmKeys(JsonNode node) {
    node.forEach(HelmChartTest::withoutHelmKeys);
    if (node instanceof ObjectNode object) {
      object.remove(HELM_ONLY);
      for (String key : List.of("labels", "annotations")) {
        if (object.path(key).isObject() && object.path(key).isEmpty()) {
          object.remove(key);
        }
      }
    }
  }

  private static Result helm(String... args) throws Exception {
    return Cli.run(null, Stream.concat(Stream.of(helm), Stream.of(args)).toArray(String[]::new));
  }
}
