package dev.contrastive.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** kubectl (against {@link RealApiServer}) and other commands as a user runs them. */
public final class Cli {

  /** stdout and stderr apart, so that a command's notices never end up in rendered YAML. */
  public record Result(int exitCode, String output, String errors) {
    @Override
    public String toString() {
      return output + errors;
    }
  }

  /** The two applies of {@link #serverDryRun}. */
  public record DryRun(Result crd, Result rest) {}

  private Cli() {}

  /** {@code kubectl ARGS}; on the test API server, except {@code kustomize}, which needs none. */
  public static Result kubectl(String stdin, String... args) throws IOException, InterruptedException {
    return run(stdin, Stream.concat(Stream.of("kubectl"), Stream.of(args)).toArray(String[]::new));
  }

  /**
   * {@code kubectl apply --dry-run=server} of a multi-document manifest that holds one CRD: the CRD
   * apart, since kubectl checks a CRD against the test server's 1.20 OpenAPI, which predates CEL's
   * x-kubernetes-validations (the server itself still validates the CRD in the dry run).
   */
  public static DryRun serverDryRun(String manifest) throws IOException, InterruptedException {
    List<String> documents = List.of(manifest.split("(?m)^---$"));
    String crd = documents.stream().filter(d -> d.contains("kind: CustomResourceDefinition")).findFirst().orElseThrow();
    String rest = String.join("---", documents.stream().filter(d -> d != crd).toList());
    return new DryRun(kubectl(crd, "apply", "--dry-run=server", "--validate=false", "-f", "-"),
        kubectl(rest, "apply", "--dry-run=server", "-f", "-"));
  }

  /** Runs a command to its end (at most 300 s), with {@code stdin} as its input when not null. */
  public static Result run(String stdin, String... command) throws IOException, InterruptedException {
    Path errors = Files.createTempFile("cli", ".err");
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(errors.toFile());
    if (command[0].equals("kubectl") && !command[1].equals("kustomize")) {
      builder.environment().put("KUBECONFIG", RealApiServer.get().kubeconfig().toString());
    }
    Process process = builder.start();
    if (stdin != null) {
      process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(300, TimeUnit.SECONDS)).as("%s ended", command[0]).isTrue();
    String errorText = Files.readString(errors);
    Files.delete(errors);
    return new Result(process.exitValue(), output, errorText);
  }
}
