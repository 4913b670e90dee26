package dev.contrastive.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.RunFiles;
import dev.contrastive.operator.testing.RealApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What users apply (deploy/ and examples/) is accepted by a real API server and by the trainer's config. */
class ManifestsDryRunTest {

  private static final Path DEPLOY = Path.of("../deploy");
  private static final Path EXAMPLES = Path.of("../examples");

  @BeforeAll
  static void namespaces() {
    // A dry run of namespaced objects needs their namespace to exist.
    var client = RealApiServer.get().client();
    if (client.namespaces().withName("contrastive-system").get() == null) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("contrastive-system")
          .endMetadata().build()).create();
    }
  }

  @Test
  void deployKustomizationPassesServerDryRun() throws Exception {
    Result rendered = kubectl(null, "kustomize", DEPLOY.toString());
    assertThat(rendered.exitCode()).as(rendered.output()).isZero();

    List<String> documents = List.of(rendered.output().split("(?m)^---$"));
    String crd = documents.stream().filter(d -> d.contains("kind: CustomResourceDefinition")).findFirst().orElseThrow();
    String rest = String.join("---", documents.stream().filter(d -> d != crd).toList());

    Result applied = kubectl(rest, "apply", "--dry-run=server", "-f", "-");
    // kubectl 1.32 checks a CRD against the test server's 1.20 OpenAPI, which predates CEL's
    // x-kubernetes-validations; the server itself still validates the CRD in the dry run.
    Result appliedCrd = kubectl(crd, "apply", "--dry-run=server", "--validate=false", "-f", "-");

    assertThat(applied.exitCode()).as(applied.output()).isZero();
    assertThat(applied.output()).contains("deployment.apps/contrastive-operator",
        "clusterrole.rbac.authorization.k8s.io/contrastive-operator", "namespace/contrastive-system");
    assertThat(appliedCrd.exitCode()).as(appliedCrd.output()).isZero();
    assertThat(appliedCrd.output()).contains("customresourcedefinition.apiextensions.k8s.io/contrastivetrainingruns.contrastive.dev");
    assertThat(rendered.output()).doesNotContainPattern("image: [a-z0-9.-]+\\.[a-z]+(:[0-9]+)?/");
  }

  @Test
  void deployCarriesTheCheckedInCrd() throws IOException {
    assertThat(Files.readString(DEPLOY.resolve("crd/contrastivetrainingruns.contrastive.dev-v1.yml")))
        .isEqualTo(Files.readString(RealApiServer.CRD));
  }

  @ParameterizedTest
  @MethodSource("examples")
  void examplePassesServerDryRun(Path example) throws Exception {
    Result applied = kubectl(null, "apply", "--dry-run=server", "-n", "default", "-f", example.toString());

    assertThat(applied.exitCode()).as(applied.output()).isZero();
    assertThat(applied.output()).contains("contrastivetrainingrun.contrastive.dev/");
  }

  @ParameterizedTest
  @MethodSource("examples")
  void exampleResolvesForTheTrainer(Path example) {
    assertThat(ConfigResolver.resolve(RunFiles.load(example).getSpec()).image).isNotBlank();
  }

  static List<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  private record Result(int exitCode, String output) {}

  private static Result kubectl(String stdin, String... args) throws Exception {
    List<String> command = Stream.concat(Stream.of("kubectl"), Stream.of(args)).toList();
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("KUBECONFIG", RealApiServer.get().kubeconfig().toString());
    Process process = builder.start();
    if (stdin != null) {
      process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }
}
