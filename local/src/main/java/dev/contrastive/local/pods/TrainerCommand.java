package dev.contrastive.local.pods;

import dev.contrastive.operator.plan.MetricsPorts;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The trainer image as a local JVM, started as the image's entrypoint starts it:
 * {@code scripts/with-tcmalloc java -cp <trainer jar + lib/*> TrainerCli <args>}. The image's
 * entrypoint is the trainer CLI, so the container's {@code command} (if any) is replaced by it and
 * only its {@code args} are passed on, with the local port of its /metrics as an override. Ranks
 * share this machine's cores.
 */
public final class TrainerCommand implements ContainerCommand {

  public static final String MAIN_CLASS = "dev.contrastive.trainer.cli.TrainerCli";

  private final String launcher;
  private final String classpath;

  private TrainerCommand(String launcher, String classpath) {
    this.launcher = launcher;
    this.classpath = classpath;
  }

  /** Finds {@code trainer-image/target/trainer-*.jar} and {@code target/lib/} under the repo root. */
  public static TrainerCommand fromBuild(Path repoRoot) throws IOException {
    Path target = repoRoot.resolve("trainer-image").resolve("target");
    Path jar;
    try (Stream<Path> files = Files.exists(target) ? Files.list(target) : Stream.empty()) {
      jar = files.filter(p -> p.getFileName().toString().matches("trainer-.*(?<!-sources|-tests|-javadoc)\\.jar"))
          .findFirst()
          .orElseThrow(() -> new IOException("no trainer jar in " + target
              + "; build it with ./mvnw -q -B -DskipTests package"));
    }
    Path lib = target.resolve("lib");
    if (!Files.isDirectory(lib)) {
      throw new IOException("no " + lib + "; build it with ./mvnw -q -B -DskipTests package");
    }
    Path launcher = repoRoot.resolve("scripts").resolve("with-tcmalloc").toAbsolutePath();
    if (!Files.isExecutable(launcher)) {
      throw new IOException("no executable " + launcher + " (it starts the trainer as the image does)");
    }
    return new TrainerCommand(launcher.toString(), jar.toAbsolutePath() + java.io.File.pathSeparator + lib.toAbsolutePath() + "/*");
  }

  @Override
  public List<String> commandLine(Container container, List<String> args, Map<String, String> env) {
    int ranks = Math.max(1, parse(env.get("WORLD_SIZE")));
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / ranks);
    List<String> line = new ArrayList<>(List.of(launcher,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dai.djl.pytorch.num_threads=" + threads,
        "-Dai.djl.pytorch.num_interop_threads=1",
        "-cp", classpath, MAIN_CLASS));
    line.addAll(args);
    // The pod's metrics ports are mapped to free local ports (MetricsTargets): listen there.
    (container.getPorts() == null ? List.<ContainerPort>of() : container.getPorts()).stream().filter(p -> MetricsPorts.NAME.equals(p.getName())).findFirst()
        .ifPresent(p -> line.add("metrics.port=" + p.getContainerPort()));
    return line;
  }

  private static int parse(String number) {
    try {
      return number == null ? 1 : Integer.parseInt(number.trim());
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
