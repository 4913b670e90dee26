package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/with-tcmalloc}, through which the trainer image and the local mode start the
 * trainer: it preloads tcmalloc where the machine has it and otherwise runs the command unchanged.
 */
class WithTcmallocScriptTest {

  private static final Path SCRIPT = Path.of("..", "scripts", "with-tcmalloc").toAbsolutePath().normalize();

  @TempDir Path libs;

  private record Result(int exitCode, String out, String err) {}

  @Test
  void preloadsTcmallocFromTheFirstFolderThatHasIt() throws Exception {
    Path library = Files.createFile(libs.resolve("libtcmalloc_minimal.so.4"));

    Result run = run(Map.of("TCMALLOC_DIRS", "/nonexistent " + libs), "printenv", "LD_PRELOAD");

    assertThat(run.out()).isEqualTo(library + "\n");
  }

  @Test
  void runsTheCommandUnchangedWhereThereIsNoTcmalloc() throws Exception {
    Result run = run(Map.of("TCMALLOC_DIRS", libs.toString()), "sh", "-c", "echo \"[${LD_PRELOAD:-}]\"; exit 7");

    assertThat(run.out()).isEqualTo("[]\n");
    assertThat(run.exitCode()).isEqualTo(7);
  }

  @Test
  void glibcOptsOutAndAnAllocatorPreloadedAlreadyIsKept() throws Exception {
    Files.createFile(libs.resolve("libtcmalloc_minimal.so.4"));

    Result optOut = run(Map.of("TCMALLOC_DIRS", libs.toString(), "CONTRASTIVE_MALLOC", "glibc"),
        "sh", "-c", "echo \"[${LD_PRELOAD:-}]\"");
    Result own = run(Map.of("TCMALLOC_DIRS", libs.toString(), "LD_PRELOAD", "/opt/libjemalloc.so.2"),
        "printenv", "LD_PRELOAD");

    assertThat(optOut.out()).isEqualTo("[]\n");
    assertThat(own.out()).isEqualTo("/opt/libjemalloc.so.2\n");
  }

  @Test
  void anUnknownChoiceIsRefusedWithExitCode2AndOneLine() throws Exception {
    Result run = run(Map.of("CONTRASTIVE_MALLOC", "mimalloc"), "true");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("CONTRASTIVE_MALLOC must be tcmalloc or glibc, not 'mimalloc'\n");
  }

  private static Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(concat(SCRIPT.toString(), command));
    builder.environment().remove("LD_PRELOAD");
    builder.environment().remove("CONTRASTIVE_MALLOC");
    builder.environment().putAll(env);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(process.waitFor(), out, err.replaceAll("(?m)^ERROR: ld\\.so: .*\n", ""));
  }

  private static List<String> concat(String first, String... rest) {
    return Stream.concat(Stream.of(first), Stream.of(rest)).toList();
  }
}
