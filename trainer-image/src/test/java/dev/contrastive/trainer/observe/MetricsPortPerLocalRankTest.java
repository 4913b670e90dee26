package dev.contrastive.trainer.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.ConfigOverrides;
import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.RunFiles;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The processes of one pod share its network: local rank 0 serves /metrics on metrics.port and
 * local rank N on the next ports (the ports the operator declares on the container), each labelled
 * with its own rank.
 */
class MetricsPortPerLocalRankTest {

  @Test
  void eachLocalRankServesOnMetricsPortPlusItsLocalRank() throws Exception {
    int port = twoFreePorts();
    ContrastiveTrainingRun run = RunFiles.load(Path.of("src/test/resources/runs/tiny.yaml"));
    run.setSpec(ConfigResolver.resolve(ConfigOverrides.apply(run.getSpec(), List.of("metrics.port=" + port))));

    // ranks 4 and 5 of a gang: the second pod's two processes
    try (Observers first = Observability.start(run, 4, 8, Device.cpu(), Map.of("LOCAL_RANK", "0"));
        Observers second = Observability.start(run, 5, 8, Device.cpu(), Map.of("LOCAL_RANK", "1"))) {
      assertThat(scrape(port)).contains("contrastive_train_steps_total{rank=\"4\",run=\"tiny\"} 0.0");
      assertThat(scrape(port + 1)).contains("contrastive_train_steps_total{rank=\"5\",run=\"tiny\"} 0.0");
    }
  }

  private static String scrape(int port) throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** A port that is free, and the next one too, at the time of asking. */
  private static int twoFreePorts() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      try (ServerSocket first = new ServerSocket(0)) {
        int port = first.getLocalPort();
        if (port < 65535) {
          try (ServerSocket next = new ServerSocket(port + 1)) {
            return port;
          } catch (IOException taken) {
            // try another
          }
        }
      }
    }
    throw new IOException("no two consecutive free ports found");
  }
}
