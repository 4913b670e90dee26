package dev.contrastive.trainer.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

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
