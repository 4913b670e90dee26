package dev.contrastive.trainer.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} in Prometheus's text format on one port of all interfaces, served by the
 * JDK's HTTP server on a daemon thread. Failing to listen (port taken) costs the endpoint, not
 * the training.
 */
public final class MetricsEndpoint implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;

  private MetricsEndpoint(HttpServer server) {
    this.server = server;
  }

  /** Listens on {@code port}; empty (after a warning) when it cannot. */
  public static Optional<MetricsEndpoint> start(PrometheusMeterRegistry registry, int port) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(port), 8);
    } catch (IOException e) {
      LOG.warn("metrics: cannot listen on port {} ({}); this process serves no /metrics (set metrics.port)",
          port, e.getMessage());
      return Optional.empty();
    }
    server.createContext("/metrics", exchange -> serve(exchange, registry));
    server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "metrics-endpoint");
      thread.setDaemon(true);
      return thread;
    }));
    server.start();
    LOG.info("metrics: serving http://0.0.0.0:{}/metrics", server.getAddress().getPort());
    return Optional.of(new MetricsEndpoint(server));
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void serve(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      if ("HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
