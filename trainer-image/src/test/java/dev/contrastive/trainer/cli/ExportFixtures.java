package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Short trainings shared by the export tests (one JVM runs them all): each architecture is
 * trained once, two steps, into its own checkpoint folder.
 */
final class ExportFixtures {

  /** ResNet-18 at width 64 (torchvision's resnet18) on 32 px synthetic images. */
  static final Path RUN = Path.of("src/test/resources/runs/export.yaml");

  /** Overrides of {@link #RUN} per architecture; wide enough for the >= 16 channel rule. */
  static final Map<String, List<String>> ARCHITECTURES = Map.of(
      "resnet18", List.of(),
      "resnet50_w16", List.of("architecture=resnet50", "architecture.width=16"),
      "resnet101_w16", List.of("architecture=resnet101", "architecture.width=16"),
      "mixer", List.of("architecture=mixer_s4", "architecture.width=64", "architecture.depth=2"),
      "parallel_vit", List.of("architecture=parallel_vit_ti4", "architecture.width=64", "architecture.depth=2",
          "architecture.heads=4"));

  private static final Map<String, Path> TRAINED = new HashMap<>();

  private ExportFixtures() {}

  /** The checkpoint folder of a trained run of {@code architecture}. */
  static synchronized Path trained(String architecture) {
    return TRAINED.computeIfAbsent(architecture, name -> {
      try {
        Path root = Files.createTempDirectory("export-" + name + "-").resolve("ckpt");
        CliRun train = CliRun.run(args("train", name, "checkpoint.mountPath=" + root));
        assertThat(train.exitCode()).as(train.err()).isZero();
        return CliRun.runFolder(root, "export");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** {@code command -f RUN <architecture's overrides> extra...}. */
  static String[] args(String command, String architecture, String... extra) {
    return Stream.of(Stream.of(command, "-f", RUN.toString()), ARCHITECTURES.get(architecture).stream(),
        Stream.of(extra)).flatMap(s -> s).toArray(String[]::new);
  }
}
