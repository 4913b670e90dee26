package dev.contrastive.local.prometheus;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus server (Debian's {@code prometheus} package) scraping the targets of a file_sd
 * file every second, and its query API. Tests skip where the binary is missing, unless
 * CONTRASTIVE_REQUIRE_PROMETHEUS is set (CI sets it), where they fail.
 */
public final class PrometheusServer implements AutoCloseable {

  static final String REQUIRE = "CONTRASTIVE_REQUIRE_PROMETHEUS";

  private final Process process;
  private final URI base;
  private final HttpClient http = HttpClient.newHttpClient();

  private PrometheusServer(Process process, URI base) {
    this.process = process;
    this.base = base;
  }

  /** The binary on PATH; skips the test (or fails it where CI requires Prometheus) when there is none. */
  public static Path binaryOrSkip() {
    Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .map(dir -> Path.of(dir, "prometheus")).filter(Files::isExecutable).findFirst();
    if (found.isEmpty() && System.getenv(REQUIRE) != null) {
      throw new AssertionError(REQUIRE + " is set but no prometheus binary is on PATH (apt-get install prometheus)");
    }
    Assumptions.assumeTrue(found.isPresent(),
        "no prometheus binary on PATH (Debian: apt-get install prometheus); set " + REQUIRE + " to fail instead");
    return found.get();
  }

  /** Starts Prometheus on a free local port, scraping the targets listed in {@code fileSd}; waits until ready. */
  public static PrometheusServer start(Path binary, Path fileSd, Path dir) throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
        scrape_configs:
          - job_name: contrastive-trainers
            file_sd_configs:
              - files: ['%s']
                refresh_interval: 1s
        """.formatted(fileSd.toAbsolutePath()));
    Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    PrometheusServer server = new PrometheusServer(process, URI.create("http://127.0.0.1:" + port));
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
          .until(() -> server.get("/-/ready").statusCode() == 200);
    } catch (RuntimeException e) {
      server.close();
      throw new IllegalStateException("prometheus did not become ready; its log: "
          + Files.readString(dir.resolve("prometheus.log")), e);
    }
    return server;
  }

  /** The result vector of an instant query ({@code data.result}). */
  public JsonNode query(String promql) throws IOException, InterruptedException {
    HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    JsonNode body = new ObjectMapper().readTree(response.body());
    if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new IllegalStateException("query " + promql + " failed: " + response.body());
    }
    return body.at("/data/result");
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
