package dev.contrastive.trainer.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The MLflow REST calls the trainer makes (experiments get-by-name/create, runs
 * create/search/log-batch/update, and artifact PUTs through the proxy), answered as an MLflow 2.x
 * server does, with every request recorded. It can also answer every call with HTTP 500, or hold
 * every call without answering, or refuse only artifact uploads (a full artifact store).
 */
public final class FakeMlflowServer implements AutoCloseable {

  /** One request as the server saw it. */
  public record Request(String method, String path, String query, JsonNode json, byte[] body, String authorization) {}

  /** One run the server holds. */
  public static final class StoredRun {
    public final String id;
    public final String experimentId;
    public final String name;
    public final Map<String, String> params = new LinkedHashMap<>();
    public final Map<String, String> tags = new LinkedHashMap<>();
    /** key -> (step -> value) */
    public final Map<String, Map<Long, Double>> metrics = new LinkedHashMap<>();
    public final List<String> statuses = new ArrayList<>();

    StoredRun(String id, String experimentId, String name) {
      this.id = id;
      this.experimentId = experimentId;
      this.name = name;
    }
  }

  public enum Mode { WORKING, FAILING, HANGING }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, String> experiments = new LinkedHashMap<>();
  private final Map<String, StoredRun> runs = new LinkedHashMap<>();
  private final Map<String, byte[]> artifacts = new LinkedHashMap<>();
  private final CountDownLatch released = new CountDownLatch(1);
  private volatile Mode mode = Mode.WORKING;
  private volatile String artifactRoot = "mlflow-artifacts:";
  private volatile boolean refuseArtifacts;

  public FakeMlflowServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fake-mlflow");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  public String uri() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public FakeMlflowServer mode(Mode mode) {
    this.mode = mode;
    return this;
  }

  /** Where new runs keep artifacts, e.g. {@code s3://bucket/mlflow} (default: the server's proxy). */
  public FakeMlflowServer artifactRoot(String root) {
    this.artifactRoot = root;
    return this;
  }

  /** Answers artifact uploads with HTTP 507, as a proxy whose store is full; the tracking calls still work. */
  public FakeMlflowServer refuseArtifacts() {
    this.refuseArtifacts = true;
    return this;
  }

  public synchronized Map<String, String> experiments() {
    return Map.copyOf(experiments);
  }

  public synchronized List<StoredRun> runs() {
    return List.copyOf(runs.values());
  }

  public synchronized Map<String, byte[]> artifacts() {
    return Map.copyOf(artifacts);
  }

  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String path = exchange.getRequestURI().getPath();
      JsonNode json = body.length > 0 && path.startsWith("/api/2.0/mlflow/") ? JSON.readTree(body) : null;
      requests.add(new Request(exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(), json, body,
          exchange.getRequestHeaders().getFirst("Authorization")));
      if (mode == Mode.HANGING) {
        released.await(60, TimeUnit.SECONDS);
        return;
      }
      if (mode == Mode.FAILING) {
        reply(exchange, 500, "{\"error_code\":\"INTERNAL_ERROR\",\"message\":\"the database is down\"}");
        return;
      }
      synchronized (this) {
        answer(exchange, exchange.getRequestMethod() + " " + path, json, body);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void answer(HttpExchange exchange, String call, JsonNode json, byte[] body) throws IOException {
    String artifactPrefix = "PUT /api/2.0/mlflow-artifacts/artifacts/";
    if (call.startsWith(artifactPrefix) && refuseArtifacts) {
      reply(exchange, 507, "{\"error_code\":\"INTERNAL_ERROR\",\"message\":\"no space left on the artifact store\"}");
      return;
    }
    if (call.startsWith(artifactPrefix)) {
      artifacts.put(URLDecoder.decode(call.substring(artifactPrefix.length()), StandardCharsets.UTF_8), body);
      reply(exchange, 200, "{}");
      return;
    }
    switch (call) {
      case "GET /api/2.0/mlflow/experiments/get-by-name" -> {
        String name = URLDecoder.decode(exchange.getRequestURI().getRawQuery().replaceFirst("^experiment_name=", ""),
            StandardCharsets.UTF_8);
        String id = experiments.get(name);
        if (id == null) {
          reply(exchange, 404, "{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\",\"message\":\"no experiment " + name + "\"}");
        } else {
          reply(exchange, 200, "{\"experiment\":{\"experiment_id\":\"" + id + "\",\"name\":\"" + name + "\"}}");
        }
      }
      case "POST /api/2.0/mlflow/experiments/create" -> {
        String id = Integer.toString(experiments.size() + 1);
        experiments.put(json.get("name").asText(), id);
        reply(exchange, 200, "{\"experiment_id\":\"" + id + "\"}");
      }
      case "POST /api/2.0/mlflow/runs/create" -> {
        String id = "run" + (runs.size() + 1);
        StoredRun run = new StoredRun(id, json.path("experiment_id").asText(), json.path("run_name").asText());
        json.path("tags").forEach(t -> run.tags.put(t.get("key").asText(), t.get("value").asText()));
        run.statuses.add("RUNNING");
        runs.put(id, run);
        reply(exchange, 200, JSON.writeValueAsString(Map.of("run", runJson(run))));
      }
      case "POST /api/2.0/mlflow/runs/search" -> {
        ArrayNode found = JSON.createArrayNode();
        String filter = json.path("filter").asText();
        for (StoredRun run : runs.values()) {
          boolean sameExperiment = json.path("experiment_ids").toString().contains("\"" + run.experimentId + "\"");
          boolean matches = run.tags.entrySet().stream()
              .anyMatch(t -> filter.equals("tags.`" + t.getKey() + "` = '" + t.getValue() + "'"));
          if (sameExperiment && matches) {
            found.add(runJson(run));
          }
        }
        ObjectNode response = JSON.createObjectNode();
        if (!found.isEmpty()) {
          response.set("runs", found);
        }
        reply(exchange, 200, response.toString());
      }
      case "POST /api/2.0/mlflow/runs/log-batch" -> {
        StoredRun run = runs.get(json.get("run_id").asText());
        json.path("params").forEach(p -> run.params.put(p.get("key").asText(), p.get("value").asText()));
        json.path("tags").forEach(t -> run.tags.put(t.get("key").asText(), t.get("value").asText()));
        json.path("metrics").forEach(m -> run.metrics.computeIfAbsent(m.get("key").asText(), k -> new LinkedHashMap<>())
            .put(m.path("step").asLong(), m.get("value").asDouble()));
        reply(exchange, 200, "{}");
      }
      case "POST /api/2.0/mlflow/runs/update" -> {
        StoredRun run = runs.get(json.get("run_id").asText());
        run.statuses.add(json.get("status").asText());
        reply(exchange, 200, JSON.writeValueAsString(Map.of("run_info", runJson(run).get("info"))));
      }
      default -> reply(exchange, 404, "{\"error_code\":\"ENDPOINT_NOT_FOUND\",\"message\":\"" + call + "\"}");
    }
  }

  private ObjectNode runJson(StoredRun run) {
    ObjectNode info = JSON.createObjectNode()
        .put("run_id", run.id)
        .put("run_uuid", run.id)
        .put("experiment_id", run.experimentId)
        .put("run_name", run.name)
        .put("status", run.statuses.get(run.statuses.size() - 1))
        .put("artifact_uri", artifactRoot + "/" + run.experimentId + "/" + run.id + "/artifacts");
    ObjectNode node = JSON.createObjectNode();
    node.set("info", info);
    return node;
  }

  private static void reply(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
  }
}
