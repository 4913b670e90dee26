package dev.contrastive.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.contrastive.api.status.ProgressStatus;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Status writes off the training thread: an API server that takes connections and never answers
 * does not hold the training thread, the end of the run waits for it a bounded time, and progress
 * handed over while a write hangs is folded into one waiting report (latest wins).
 */
class StalledApiServerTest {

  private final List<String> logs = new CopyOnWriteArrayList<>();

  @Test
  void anApiServerThatNeverAnswersHoldsNeitherTheTrainingThreadNorTheEnd() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    List<Socket> held = new CopyOnWriteArrayList<>();
    try (ServerSocket stalled = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        while (!stalled.isClosed()) {
          try {
            held.add(stalled.accept()); // read nothing, answer nothing
            connections.incrementAndGet();
          } catch (IOException e) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(StatusWriters.bounded(
          new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + stalled.getLocalPort()).build())).build()) {
        BackgroundProgressReporter reporter = new BackgroundProgressReporter(
            new ProgressReporter(new KubernetesStatusWriter(client, "ml", "demo"), Duration.ZERO, Clock.systemUTC(),
                logs::add),
            Duration.ofMillis(500), logs::add);

        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
          for (long step = 1; step <= 100; step++) {
            reporter.report(progress(step));
          }
        });
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> connections.get() > 0);
        assertTimeoutPreemptively(Duration.ofSeconds(5), reporter::close);
      }
    }
    assertThat(logs).contains("the run's status was not written within 500 ms (API server slow or unreachable);"
        + " leaving the last progress report behind");
    held.forEach(StalledApiServerTest::closeQuietly);
  }

  @Test
  void progressHandedOverDuringAHangingWriteIsFoldedIntoOneLatestReport() throws Exception {
    CountDownLatch answer = new CountDownLatch(1);
    List<Long> written = new CopyOnWriteArrayList<>();
    StatusWriter hanging = progress -> {
      written.add(progress.step);
      answer.await(30, TimeUnit.SECONDS);
    };
    BackgroundProgressReporter reporter = new BackgroundProgressReporter(
        new ProgressReporter(hanging, Duration.ZERO, Clock.systemUTC(), logs::add), Duration.ofSeconds(20), logs::add);

    reporter.report(progress(1));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> written.size() == 1);
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      for (long step = 2; step <= 100; step++) {
        reporter.report(progress(step));
      }
    });
    answer.countDown();
    reporter.close();

    assertThat(written).containsExactly(1L, 100L);
  }

  private static ProgressStatus progress(long step) {
    ProgressStatus progress = new ProgressStatus();
    progress.step = step;
    progress.totalSteps = 100L;
    return progress;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // the test is over
    }
  }
}
