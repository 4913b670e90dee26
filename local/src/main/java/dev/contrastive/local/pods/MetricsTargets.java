package dev.contrastive.local.pods;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.contrastive.operator.plan.MetricsPorts;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Every pod runs on this machine, so all trainers would listen on the run's metrics.port (9400)
 * where pods of a cluster each have an address of their own. As a node maps container ports to
 * host ports, each pod's metrics ports ({@code metrics}, {@code metrics-1}, ...: one per process)
 * get a block of free local ports, and the pod's processes are told the first one. The ports are
 * kept in a Prometheus file_sd file ({@value #FILE} in the work dir) labelled with each pod's
 * namespace and name (the series carry their run and rank themselves), so a Prometheus started with it scrapes every trainer of the local cluster.
 */
final class MetricsTargets {

  static final String FILE = "prometheus/targets.json";
  private static final Pattern METRICS_PORT = Pattern.compile(Pattern.quote(MetricsPorts.NAME) + "(-[0-9]+)?");
  private static final int ATTEMPTS = 50;

  private record Target(List<String> targets, Map<String, String> labels, @JsonIgnore List<Integer> ports) {}

  private final Path file;
  private final Map<String, Target> byPod = new LinkedHashMap<>();

  MetricsTargets(Path workDir) {
    this.file = workDir.resolve(FILE);
    write();
  }

  /**
   * The container with its metrics ports moved to free local ports (in the same order, so
   * {@code metrics} + local rank still holds) and listed as targets; unchanged when it declares none.
   */
  Container assign(Pod pod, Container container) {
    List<ContainerPort> ports = container.getPorts() == null ? List.of() : container.getPorts();
    long count = ports.stream().filter(MetricsTargets::isMetrics).count();
    if (count == 0) {
      return container;
    }
    int base = freeBlock((int) count, byPod.values().stream().flatMap(t -> t.ports().stream()).toList());
    List<ContainerPort> mapped = new ArrayList<>();
    List<String> targets = new ArrayList<>();
    List<Integer> local = new ArrayList<>();
    int next = base;
    for (ContainerPort port : ports) {
      if (isMetrics(port)) {
        targets.add("127.0.0.1:" + next);
        local.add(next);
        mapped.add(new ContainerPortBuilder(port).withContainerPort(next++).build());
      } else {
        mapped.add(port);
      }
    }
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("namespace", pod.getMetadata().getNamespace());
    labels.put("pod", pod.getMetadata().getName());
    byPod.put(pod.getMetadata().getUid(), new Target(targets, labels, local));
    write();
    return new ContainerBuilder(container).withPorts(mapped).build();
  }

  /** The pod's process ended: it serves no metrics any more. */
  void remove(String podUid) {
    if (byPod.remove(podUid) != null) {
      write();
    }
  }

  /** ", metrics http://127.0.0.1:PORT/metrics" for a container {@link #assign} mapped, else "". */
  static String describe(Container mapped) {
    return (mapped.getPorts() == null ? List.<ContainerPort>of() : mapped.getPorts()).stream()
        .filter(MetricsTargets::isMetrics).findFirst()
        .map(p -> ", metrics http://127.0.0.1:" + p.getContainerPort() + "/metrics").orElse("");
  }

  /** The file Prometheus reads targets from ({@code file_sd_configs}). */
  Path file() {
    return file;
  }

  private static boolean isMetrics(ContainerPort port) {
    return port.getName() != null && METRICS_PORT.matcher(port.getName()).matches();
  }

  /**
   * {@code count} consecutive ports that are free now (the trainer listens on base + local rank)
   * and not given to another pod, whose trainer may not listen yet.
   */
  private static int freeBlock(int count, List<Integer> taken) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int base;
      try (ServerSocket socket = new ServerSocket(0)) {
        base = socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException("no free local port for a pod's metrics", e);
      }
      int first = base;
      boolean clash = taken.stream().anyMatch(p -> p >= first && p < first + count);
      if (!clash && base + count <= 65535 && allFree(base + 1, count - 1)) {
        return base;
      }
    }
    throw new IllegalStateException("no " + count + " consecutive free local ports for a pod's metrics");
  }

  private static boolean allFree(int from, int count) {
    for (int port = from; port < from + count; port++) {
      try (ServerSocket ignored = new ServerSocket(port)) {
        // free
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  /** Replaced whole (write, then rename), so Prometheus never reads half a file. */
  private void write() {
    try {
      Files.createDirectories(file.getParent());
      Path partial = file.resolveSibling(file.getFileName() + ".tmp");
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(partial.toFile(), byPod.values());
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
