package dev.contrastive.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.RunFiles;
import dev.contrastive.operator.testing.Cli;
import dev.contrastive.operator.testing.Cli.Result;
import dev.contrastive.operator.testing.RealApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    Result rendered = Cli.kubectl(null, "kustomize", DEPLOY.toString());
    assertThat(rendered.exitCode()).as(rendered.toString()).isZero();

    Cli.DryRun dryRun = Cli.serverDryRun(rendered.output());

    assertThat(dryRun.rest().exitCode()).as(dryRun.rest().toString()).isZero();
    assertThat(dryRun.rest().output()).contains("deployment.apps/contrastive-operator",
        "clusterrole.rbac.authorization.k8s.io/contrastive-operator", "namespace/contrastive-system");
    assertThat(dryRun.crd().exitCode()).as(dryRun.crd().toString()).isZero();
    assertThat(dryRun.crd().output()).contains("customresourcedefinition.apiextensions.k8s.io/contrastivetrainingruns.contrastive.dev");
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
    Result applied = Cli.kubectl(null, "apply", "--dry-run=server", "-n", "default", "-f", example.toString());

    assertThat(applied.exitCode()).as(applied.toString()).isZero();
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
}
