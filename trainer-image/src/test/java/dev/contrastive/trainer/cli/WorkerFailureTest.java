package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker whose gang cannot form fails with exit code 1 and one line, never hangs. */
class WorkerFailureTest {

  @Test
  void workerWhoseRankZeroNeverComesExitsOneWithOneLine(@TempDir Path dir) throws IOException {
    int unusedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      unusedPort = socket.getLocalPort();
    }
    Map<String, String> rankOne = Map.of("WORLD_SIZE", "2", "RANK", "1", "MASTER_ADDR", "127.0.0.1",
        "MASTER_PORT", Integer.toString(unusedPort), "RENDEZVOUS_TOKEN", "t", "POD_IP", "127.0.0.1");

    CliRun run = CliRun.run(rankOne, "train", "-f", CliRun.TINY.toString(),
        "checkpoint.mountPath=" + dir, "distributed.rendezvousTimeoutSeconds=2");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(run.err().lines()).singleElement().asString().contains("rank 0");
  }
}
