package dev.contrastive.operator.argocd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The {@code argocd-cm} snippet that docs/gitops.md tells people to install is the tested script. */
class ArgoHealthSnippetTest {

  private static final Path GITOPS_DOC = Path.of("..", "docs", "gitops.md");
  private static final Path CHECK =
      HealthChecks.ROOT.resolve(Path.of("contrastive.dev", "ContrastiveTrainingRun"));
  private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

  @Test
  void argocdCmSnippetInstallsExactlyHealthLua() throws IOException {
    JsonNode configMap = argocdCm(Files.readString(GITOPS_DOC));
    String key = "resource.customizations.health." + HealthChecks.customizationKey(CHECK);

    assertThat(configMap.path("data").path(key).textValue())
        .as("data.%s in %s", key, GITOPS_DOC)
        .isEqualTo(Files.readString(CHECK.resolve("health.lua")));
  }

  private static JsonNode argocdCm(String markdown) throws IOException {
    Matcher block = YAML_BLOCK.matcher(markdown);
    while (block.find()) {
      JsonNode node = HealthChecks.YAML.readTree(block.group(1));
      if ("ConfigMap".equals(node.path("kind").asText())
          && "argocd-cm".equals(node.path("metadata").path("name").asText())) {
        return node;
      }
    }
    throw new AssertionError("no ```yaml block with the argocd-cm ConfigMap in " + GITOPS_DOC);
  }
}
