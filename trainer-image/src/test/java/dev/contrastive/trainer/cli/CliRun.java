package dev.contrastive.trainer.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** One in-process run of the CLI with captured output. */
record CliRun(int exitCode, String out, String err) {

  /** The tiny test run: ResNet-18 at width 16 on 16 px synthetic images, 2 steps per epoch. */
  static final Path TINY = Path.of("src/test/resources/runs/tiny.yaml");

  /** Where a run of the test files (namespace default, no uid) keeps its checkpoints under {@code mountPath}. */
  static Path runFolder(Path mountPath, String runName) {
    return mountPath.resolve("default").resolve(runName).resolve("local");
  }

  /** {@link #runFolder} of the tiny run. */
  static Path tinyFolder(Path mountPath) {
    return runFolder(mountPath, "tiny");
  }

  /**
   * {@code train} of the tiny run with its checkpoints under {@code mountPath}, no /metrics endpoint
   * (tests run beside each other), then {@code extra} settings and options.
   */
  static CliRun trainTiny(Path mountPath, String... extra) {
    return run(Stream.concat(
        Stream.of("train", "-f", TINY.toString(), "checkpoint.mountPath=" + mountPath, "metrics.port=0"),
        Stream.of(extra)).toArray(String[]::new));
  }

  /** The tiny run's newest checkpoint folder under {@code mountPath}. */
  static Path newestTinyCheckpoint(Path mountPath) throws IOException {
    try (Stream<Path> dirs = Files.list(tinyFolder(mountPath))) {
      return dirs.filter(p -> p.getFileName().toString().startsWith("ckpt-")).sorted()
          .reduce((a, b) -> b).orElseThrow();
    }
  }

  static CliRun run(String... args) {
    return run(Map.of(), args);
  }

  static CliRun run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> environment = new HashMap<>(env);
    int code = TrainerCli.run(args, environment,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
