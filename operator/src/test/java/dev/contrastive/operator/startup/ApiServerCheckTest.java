package dev.contrastive.operator.startup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.operator.testing.RealApiServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class ApiServerCheckTest {

  @Test
  void unreachableApiServerIsOneLineNamingTheUrlAndTheCause() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String url = "https://127.0.0.1:" + closedPort + "/";

    String problem = ApiServerCheck.problem(new ConfigBuilder().withMasterUrl(url).build()).orElseThrow();

    assertThat(problem).startsWith("contrastive-operator: cannot reach the Kubernetes API at " + url + ": ")
        .contains("Connect").doesNotContain("\n");
  }

  @Test
  void reachableApiServerIsNoProblem() {
    Config config = RealApiServer.get().client().getConfiguration();

    assertThat(ApiServerCheck.problem(config)).isEmpty();
  }
}
