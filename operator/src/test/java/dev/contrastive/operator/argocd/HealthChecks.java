package dev.contrastive.operator.argocd;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The health checks under {@code deploy/argocd/health/}, in Argo CD's resource-customization
 * layout: {@code <group>/<Kind>/health.lua}, {@code health_test.yaml} and {@code testdata/}.
 */
final class HealthChecks {

  /** Surefire runs in the module folder; the checks live at the repository root. */
  static final Path ROOT = Path.of("..", "deploy", "argocd", "health");

  static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  /** One {@code health_test.yaml}: expected health for each test input. */
  record TestFile(List<TestCase> tests) {}

  record TestCase(HealthStatus healthStatus, String inputPath) {}

  private HealthChecks() {}

  /** Folders that hold a {@code health.lua}, one per group and kind. */
  static List<Path> folders() {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(p -> p.endsWith("health.lua")).map(Path::getParent).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static TestFile testFile(Path folder) throws IOException {
    return YAML.readValue(folder.resolve("health_test.yaml").toFile(), TestFile.class);
  }

  static HealthScript script(Path folder) throws IOException {
    Path lua = folder.resolve("health.lua");
    return new HealthScript(Files.readString(lua), ROOT.relativize(lua).toString());
  }

  /** {@code group_Kind}, the key Argo CD's {@code argocd-cm} uses for this folder. */
  static String customizationKey(Path folder) {
    return folder.getParent().getFileName() + "_" + folder.getFileName();
  }
}
