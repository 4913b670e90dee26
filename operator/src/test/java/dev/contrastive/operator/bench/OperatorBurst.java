package dev.contrastive.operator.bench;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.operator.testing.Fixtures;
import dev.contrastive.operator.testing.RealApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator under a burst (#18's "Scale, measured"): a real kube-apiserver, the packaged
 * operator as its own JVM with the heap settings of the deployment, 8 GPU nodes, N runs of 8
 * workers created at once. Prints the time until all pods exist, the first run's time to its last
 * pod, API requests per reconcile (from the API server's own request counters), the reconciles one
 * node heartbeat causes, and the operator's peak RSS, beside #18's goals.
 *
 * <p>Run by bench/operator-burst.sh. Arguments: runs, operator jar, operator JVM options.
 */
public final class OperatorBurst {

  private static final int NODES = 8;
  private static final String NAMESPACE = "burst";
  private static final Pattern REQUESTS = Pattern.compile(
      "^apiserver_request_total\\{(.*)} (\\S+)$", Pattern.MULTILINE);
  private static final Pattern RECONCILES = Pattern.compile(
      "^contrastive_operator_reconcile_seconds_count\\S* (\\S+)$", Pattern.MULTILINE);

  private static final Set<String> OPERATOR_RESOURCES = Set.of("contrastivetrainingruns", "pods",
      "configmaps", "secrets", "services", "serviceaccounts", "roles", "rolebindings", "networkpolicies", "events",
      "podgroups", "workloads");

  private OperatorBurst() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(args[0]);
    Path jar = Path.of(args[1]);
    List<String> jvmOptions = List.of(args[2].trim().split("\\s+"));
    RealApiServer server = RealApiServer.get();
    progress("API server up");
    KubernetesClient admin = server.client();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    for (int i = 0; i < NODES; i++) {
      gpuNode(admin, "gpu-node-" + i, runs);
    }
    int port = freePort();
    Path log = Files.createTempFile("operator-burst", ".log");
    Process operator = startOperator(jar, jvmOptions, server.kubeconfig(), port, log);
    try {
      progress("nodes created; operator starting, log " + log);
      awaitReady(port, operator, log);
      progress("operator ready");
      measure(admin, runs, port, operator, log, jvmOptions);
    } finally {
      operator.destroy();
      operator.waitFor();
    }
    System.exit(0); // the API server's shutdown hook stops it
  }

  private static void measure(KubernetesClient admin, int runs, int port, Process operator, Path log,
      List<String> jvmOptions) throws Exception {
    Map<String, Long> podSeen = new ConcurrentHashMap<>();
    var watch = admin.pods().inNamespace(NAMESPACE).watch(new Watcher<Pod>() {
      @Override
      public void eventReceived(Action action, Pod pod) {
        if (action == Action.ADDED) {
          podSeen.putIfAbsent(pod.getMetadata().getName(), System.nanoTime());
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
    Map<String, Double> requests0 = requests(admin);
    double reconciles0 = reconciles(port);

    long start = System.nanoTime();
    long[] created = new long[runs];
    ExecutorService apply = Executors.newFixedThreadPool(8);
    List<Future<?>> applies = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      int index = i;
      applies.add(apply.submit(() -> {
        admin.resource(run(index)).create();
        created[index] = System.nanoTime();
      }));
    }
    for (Future<?> done : applies) {
      done.get();
    }
    apply.shutdown();
    long applied = System.nanoTime();
    progress(runs + " runs created");
    int expected = runs * NODES;
    long deadline = start + Duration.ofSeconds(180).toNanos();
    long nextReport = System.nanoTime();
    while (podSeen.size() < expected && System.nanoTime() < deadline && operator.isAlive()) {
      if (System.nanoTime() > nextReport) {
        progress(podSeen.size() + " of " + expected + " pods");
        nextReport += Duration.ofSeconds(5).toNanos();
      }
      Thread.sleep(50);
    }
    int seen = podSeen.size();
    if (seen < expected) {
      progress("only " + seen + " of " + expected + " pods after 180 s; operator log: " + log);
    }
    long allPods = seen < expected ? System.nanoTime()
        : podSeen.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    long firstRunLastPod = podSeen.entrySet().stream().filter(e -> e.getKey().startsWith("burst-000-"))
        .mapToLong(Map.Entry::getValue).max().orElse(System.nanoTime());
    double burstReconciles = settle(port) - reconciles0;
    Map<String, Double> requests1 = requests(admin);
    Map<String, Double> burstRequests = operatorRequests(requests0, requests1, runs);

    // One node event that changes nothing a run plans from: a kubelet's heartbeat.
    double before = reconciles(port);
    admin.nodes().withName("gpu-node-3").subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastHeartbeatTime\":\""
            + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"}]}}");
    double nodeEventReconciles = settle(port) - before;
    Map<String, Double> requests2 = requests(admin);
    Map<String, Double> steadyRequests = operatorRequests(requests1, requests2, 0);
    watch.close();
    long peakRss = peakRss(operator.pid());
    if (System.getenv("HEAP_HISTOGRAM") != null) {
      heapHistogram(operator.pid(), Path.of(System.getenv("HEAP_HISTOGRAM")));
    }

    double burstCalls = sum(burstRequests);
    System.out.printf("%nOperator burst: %d runs x %d workers over %d GPU nodes, real kube-apiserver%n",
        runs, NODES, NODES);
    System.out.printf("operator JVM options: %s%n", String.join(" ", jvmOptions));
    System.out.printf("load average at end: %s", Files.readString(Path.of("/proc/loadavg")));
    System.out.println();
    System.out.println("| measure | measured | goal (#18) |");
    System.out.println("| --- | ---: | ---: |");
    System.out.printf("| runs created (%d threads) | %.1f s | |%n", 8, seconds(applied - start));
    System.out.printf("| all %d pods exist, from the first create | %s%.1f s | %s |%n", expected,
        seen < expected ? "not yet (" + seen + ") after " : "", seconds(allPods - start),
        runs == 100 ? "within 10 s" : "");
    System.out.printf("| first run: its create to its last pod | %.1f s | |%n",
        seconds(firstRunLastPod - created[0]));
    System.out.printf("| reconciles in the burst | %.0f (%.1f per run) | |%n", burstReconciles, burstReconciles / runs);
    System.out.printf("| operator API requests per reconcile, burst | %.1f | from caches |%n",
        burstCalls / burstReconciles);
    System.out.printf("| reconciles caused by one node heartbeat | %.0f | 0 (not every run) |%n",
        nodeEventReconciles);
    System.out.printf("| operator API requests after the heartbeat | %.0f | |%n", sum(steadyRequests));
    System.out.printf("| operator peak RSS | %d MiB | %s |%n", peakRss / 1024 / 1024,
        runs == 200 ? "under 300 MB" : "under 300 MB at 200 runs");
    System.out.println();
    System.out.println("operator requests in the burst, by verb and resource (excluding watches):");
    burstRequests.forEach((key, count) -> System.out.printf("  %-40s %6.0f%n", key, count));
    System.out.println("operator requests after the heartbeat:");
    steadyRequests.forEach((key, count) -> System.out.printf("  %-40s %6.0f%n", key, count));
  }

  /** Waits until the operator has done no reconcile for 2 s; returns its reconcile count. */
  private static double settle(int port) throws Exception {
    double last = reconciles(port);
    long quietSince = System.nanoTime();
    while (System.nanoTime() - quietSince < Duration.ofSeconds(2).toNanos()) {
      Thread.sleep(250);
      double now = reconciles(port);
      if (now != last) {
        last = now;
        quietSince = System.nanoTime();
      }
    }
    return last;
  }

  private static ContrastiveTrainingRun run(int index) {
    ContrastiveTrainingRun run = Fixtures.run(String.format("burst-%03d", index), NAMESPACE);
    run.getMetadata().setUid(null);
    run.getMetadata().setGeneration(null);
    ContrastiveTrainingRunSpec spec = run.getSpec();
    spec.minNodes = NODES;
    spec.maxNodes = NODES;
    spec.resources.gpusPerNode = 1;
    return run;
  }

  /** A Ready, untainted node with {@code gpus} GPUs (as kubelet and node controller would leave it). */
  private static void gpuNode(KubernetesClient client, String name, int gpus) {
    Node node = Fixtures.gpuNode(name, gpus).build();
    var status = node.getStatus();
    node.setStatus(null);
    client.nodes().resource(node).create();
    client.nodes().withName(name).subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
    client.nodes().withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"taints\":null}}");
  }

  private static List<String> operatorCommand(Path jar, List<String> jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmOptions);
    command.add("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
    command.add("-jar");
    command.add(jar.toString());
    return command;
  }

  private static Process startOperator(Path jar, List<String> jvmOptions, Path kubeconfig, int port, Path log)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(operatorCommand(jar, jvmOptions))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
    return builder.start();
  }

  private static void awaitReady(int port, Process operator, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      if (!operator.isAlive()) {
        throw new IllegalStateException("the operator exited: " + Files.readString(log));
      }
      try {
        if (get(port, "/q/health/ready").statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the operator was not ready after 120 s; log: " + log);
  }

  private static double reconciles(int port) throws Exception {
    Matcher m = RECONCILES.matcher(get(port, "/q/metrics").body());
    double total = 0;
    while (m.find()) {
      total += Double.parseDouble(m.group(1));
    }
    return total;
  }

  /** The API server's request counters by "VERB resource[/subresource]". */
  private static Map<String, Double> requests(KubernetesClient admin) {
    String metrics = admin.raw(admin.getMasterUrl().toString().replaceAll("/$", "") + "/metrics");
    Map<String, Double> counts = new TreeMap<>();
    Matcher m = REQUESTS.matcher(metrics);
    while (m.find()) {
      Map<String, String> labels = labels(m.group(1));
      String key = labels.get("verb") + " " + labels.get("resource")
          + (labels.getOrDefault("subresource", "").isEmpty() ? "" : "/" + labels.get("subresource"));
      counts.merge(key, Double.parseDouble(m.group(2)), Double::sum);
    }
    return counts;
  }

  /**
   * What the operator sent between two readings: requests for the resources it works on, less the
   * harness's own run creates; watches (one per informer, long-running) left out. The API server's
   * own controllers (leases, endpoints, flow control) and the harness's node writes are not counted.
   */
  private static Map<String, Double> operatorRequests(Map<String, Double> before, Map<String, Double> after,
      int harnessRunCreates) {
    Map<String, Double> delta = new TreeMap<>();
    after.forEach((key, count) -> {
      double d = count - before.getOrDefault(key, 0.0);
      if (key.startsWith("POST contrastivetrainingruns")) {
        d -= harnessRunCreates;
      }
      if (d > 0 && OPERATOR_RESOURCES.contains(key.substring(key.indexOf(' ') + 1).replaceAll("/.*", ""))
          && !key.startsWith("WATCH")) {
        delta.put(key, d);
      }
    });
    return delta;
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new TreeMap<>();
    Matcher m = Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(text);
    while (m.find()) {
      labels.put(m.group(1), m.group(2));
    }
    return labels;
  }

  private static double sum(Map<String, Double> counts) {
    return counts.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void progress(String message) {
    System.err.printf("[%tT] %s%n", System.currentTimeMillis(), message);
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /**
   * What the operator holds once the burst has settled: jcmd's class histogram (live objects, after
   * a full GC) and, when the JVM runs with -XX:NativeMemoryTracking=summary, its native memory by
   * area, into {@code file}; the histogram's total line goes to stderr.
   */
  private static void heapHistogram(long pid, Path file) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    StringBuilder out = new StringBuilder();
    for (String command : List.of("GC.class_histogram", "GC.heap_info", "VM.native_memory")) {
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      p.waitFor();
      out.append("== jcmd ").append(command).append('\n').append(text).append('\n');
      if (command.equals("GC.class_histogram")) {
        text.lines().filter(line -> line.startsWith("Total")).forEach(line -> progress("live heap: " + line));
      }
    }
    Files.writeString(file, out);
    progress("heap histogram and native memory: " + file);
  }

  /** Peak resident memory of a process since it started: the kernel's high-water mark (VmHWM). */
  private static long peakRss(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmHWM in /proc/" + pid + "/status");
  }
}
