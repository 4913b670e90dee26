package dev.contrastive.operator.argocd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every Argo CD health check against each input its {@code health_test.yaml} lists, as
 * Argo CD's own resource-customization tests do.
 */
class ArgoHealthCheckTest {

  @Test
  void findsTheContrastiveTrainingRunCheck() {
    assertThat(HealthChecks.folders())
        .extracting(HealthChecks::customizationKey)
        .contains("contrastive.dev_ContrastiveTrainingRun");
  }

  @TestFactory
  List<DynamicTest> eachListedInputGetsItsExpectedHealth() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path folder : HealthChecks.folders()) {
      HealthScript script = HealthChecks.script(folder);
      for (HealthChecks.TestCase test : HealthChecks.testFile(folder).tests()) {
        Path input = folder.resolve(test.inputPath());
        tests.add(
            DynamicTest.dynamicTest(
                HealthChecks.customizationKey(folder) + " " + test.inputPath(),
                () ->
                    assertThat(script.evaluate(HealthChecks.YAML.readTree(input.toFile())))
                        .isEqualTo(test.healthStatus())));
      }
    }
    return tests;
  }

  /** An input nobody lists is a case nobody checks. */
  @Test
  void everyTestdataFileIsListed() throws IOException {
    for (Path folder : HealthChecks.folders()) {
      List<String> listed =
          HealthChecks.testFile(folder).tests().stream().map(HealthChecks.TestCase::inputPath).toList();
      try (Stream<Path> files = Files.list(folder.resolve("testdata"))) {
        assertThat(files.map(f -> "testdata/" + f.getFileName()))
            .as("testdata of %s", folder)
            .allMatch(listed::contains);
      }
    }
  }
}
