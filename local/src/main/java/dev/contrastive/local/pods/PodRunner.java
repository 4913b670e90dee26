package dev.contrastive.local.pods;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What a scheduler and the kubelets of the simulated nodes would do: binds each new pod to a
 * node that fits, runs its first container as a child process on this machine, and reports the
 * pod's phase, readiness and exit code back into the API. A deleted pod's process is stopped;
 * on a real API server the runner then finishes the deletion, as a kubelet does.
 *
 * <p>Every pod is treated as {@code restartPolicy: Never}: restarting is the operator's job. A pod
 * whose Secret, ConfigMap or hostPath is missing stays Pending (CreateContainerConfigError, naming
 * it) and starts once it appears, as with a kubelet. Only the first container runs: sidecars and
 * init containers of a pod template are not started in local mode.
 * All API work and all state changes happen on one thread, in event order.
 */
public final class PodRunner implements AutoCloseable {

  private static final long DEFAULT_GRACE_SECONDS = 30;
  private static final Duration CONFIG_RETRY = Duration.ofSeconds(2);
  private static final int TERMINATION_MESSAGE_BYTES = 2048;
  private static final int TERMINATION_MESSAGE_LINES = 80;

  private final KubernetesClient client;
  private final ContainerCommands commands;
  private final EnvResolver envResolver;
  private final Path workDir;
  private final Path processDir;
  private final PrintStream console;
  private final ExecutorService actions = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "pod-runner");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, RunningPod> running = new LinkedHashMap<>();
  private final Map<String, Pod> unschedulable = new LinkedHashMap<>();
  /** Bound pods whose Secret, ConfigMap or hostPath is not there yet, by uid, with the last reason shown. */
  private final Map<String, WaitingPod> waitingForConfig = new LinkedHashMap<>();

  private record WaitingPod(String namespace, String name, String reason) {}
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "pod-runner-retries");
    t.setDaemon(true);
    return t;
  });
  private final Set<String> seen = new HashSet<>();
  private final Map<String, String> nodeEnv = new LinkedHashMap<>();
  private final MetricsTargets metricsTargets;
  private SharedIndexInformer<Pod> informer;

  /** A pod whose process runs here. */
  private static final class RunningPod {
    final Pod pod;
    final String node;
    final Map<String, BigDecimal> extended;
    final LocalProcess process;
    final Instant started;
    boolean stopping;
    boolean finishDeletion;

    RunningPod(Pod pod, String node, LocalProcess process, Instant started) {
      this.pod = pod;
      this.node = node;
      this.extended = NodeChooser.extendedRequests(pod);
      this.process = process;
      this.started = started;
    }
  }

  /**
   * @param workDir where pod folders, volumes and logs go
   * @param processDir working directory of the child processes (relative paths in a run resolve here)
   */
  public PodRunner(KubernetesClient client, ContainerCommands commands, Path workDir, Path processDir,
      PrintStream console) {
    this.client = client;
    this.commands = commands;
    this.envResolver = new EnvResolver(client);
    this.workDir = workDir.toAbsolutePath();
    this.processDir = processDir.toAbsolutePath();
    this.console = console;
    this.metricsTargets = new MetricsTargets(this.workDir);
  }

  /**
   * Env that every container gets from this machine, over the pod's own: what a node provides
   * (API credentials, a cache shared by all pods). Call before {@link #start()}.
   */
  public PodRunner withNodeEnv(Map<String, String> env) {
    nodeEnv.putAll(env);
    return this;
  }

  public PodRunner start() {
    informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        actions.execute(() -> observe(pod));
      }

      @Override
      public void onUpdate(Pod before, Pod pod) {
        actions.execute(() -> observe(pod));
      }

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        actions.execute(() -> stop(pod.getMetadata().getUid(), false));
      }
    }, 0);
    // A kubelet keeps trying to start a container whose Secret or ConfigMap is missing.
    retries.scheduleWithFixedDelay(() -> actions.execute(this::retryWaitingForConfig),
        CONFIG_RETRY.toMillis(), CONFIG_RETRY.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** The Prometheus file_sd file listing the /metrics of every trainer process running here. */
  public Path metricsTargets() {
    return metricsTargets.file();
  }

  /** The log file of a pod's container. */
  public Path logFile(Pod pod) {
    return podDir(pod).resolve("container.log");
  }

  /** The process id of a pod's container while it runs here, as {@code crictl inspect} would tell. */
  public OptionalLong pid(String podUid) {
    try {
      return actions.submit(() -> {
        RunningPod pod = running.get(podUid);
        return pod == null ? OptionalLong.empty() : OptionalLong.of(pod.process.pid());
      }).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("pod runner did not answer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalLong.empty();
    }
  }

  private void observe(Pod pod) {
    String uid = pod.getMetadata().getUid();
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      unschedulable.remove(uid);
      waitingForConfig.remove(uid);
      if (running.containsKey(uid)) {
        stop(uid, true);
      } else if (pod.getSpec().getNodeName() != null) {
        finishDeletion(pod);
      }
      return;
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if (!seen.add(uid) || "Succeeded".equals(phase) || "Failed".equals(phase)) {
      return;
    }
    launch(pod);
  }

  private void launch(Pod pod) {
    String uid = pod.getMetadata().getUid();
    String node = pod.getSpec().getNodeName();
    if (node == null) {
      NodeChooser.Choice choice = NodeChooser.choose(pod, client.nodes().list().getItems(), used(), podsPerNode());
      if (choice.node().isEmpty()) {
        unschedulable.put(uid, pod);
        patchStatus(PodStatuses.unschedulable(pod, choice.reason()));
        return;
      }
      node = choice.node().get();
      if (!bind(pod, node)) {
        return;
      }
    }
    unschedulable.remove(uid);
    Container container = pod.getSpec().getContainers().get(0);
    Path podDir = podDir(pod);
    try {
      LocalVolumes volumes = LocalVolumes.materialise(client, pod, container, podDir, workDir);
      Map<String, String> env = envResolver.resolve(pod, container, node, volumes);
      env.putAll(nodeEnv);
      List<String> args = container.getArgs().stream().map(volumes::rewrite).toList();
      ContainerCommand command = commands.find(container.getImage()).orElse(null);
      if (command == null) {
        patchStatus(PodStatuses.waiting(pod, "ErrImageNeverPull",
            "local mode has no command for image " + container.getImage()));
        return;
      }
      Container mapped = metricsTargets.assign(pod, container);
      LocalProcess process = LocalProcess.start(command.commandLine(mapped, args, env), env, processDir,
          logFile(pod), pod.getMetadata().getName(), console);
      Instant started = Instant.now();
      running.put(uid, new RunningPod(pod, node, process, started));
      patchStatus(PodStatuses.running(pod, started));
      console.println("pod " + name(pod) + " runs on " + node + " as pid " + process.pid() + ", log " + logFile(pod)
          + MetricsTargets.describe(mapped));
      process.exit().whenComplete((code, error) -> actions.execute(() -> finished(uid, code == null ? -1 : code)));
      waitingForConfig.remove(uid);
    } catch (ContainerConfigException e) {
      // Pending with the reason, as a kubelet shows it; written again only when the reason changes.
      WaitingPod before = waitingForConfig.put(uid,
          new WaitingPod(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), e.getMessage()));
      if (before == null || !before.reason().equals(e.getMessage())) {
        patchStatus(PodStatuses.waiting(pod, "CreateContainerConfigError", e.getMessage()));
      }
    } catch (IOException e) {
      metricsTargets.remove(uid);
      patchStatus(PodStatuses.waiting(pod, "RunContainerError", e.getMessage()));
    }
  }

  /** The scheduler's way: the binding subresource (nodeName cannot be changed by an update). */
  private boolean bind(Pod pod, String node) {
    String namespace = pod.getMetadata().getNamespace();
    try {
      client.bindings().inNamespace(namespace).resource(new BindingBuilder()
          .withNewMetadata().withName(pod.getMetadata().getName()).withNamespace(namespace).endMetadata()
          .withNewTarget().withApiVersion("v1").withKind("Node").withName(node).endTarget()
          .build()).create();
      Pod bound = client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).get();
      if (bound != null && bound.getSpec().getNodeName() == null) {
        // The mock server stores the binding as a plain object; there nodeName can be set directly.
        client.pods().inNamespace(namespace).withName(pod.getMetadata().getName())
            .edit(p -> {
              p.getSpec().setNodeName(node);
              return p;
            });
      }
      return bound != null;
    } catch (KubernetesClientException e) {
      console.println("pod " + name(pod) + " could not be bound to " + node + ": " + e.getMessage());
      return false;
    }
  }

  private void finished(String uid, int exitCode) {
    RunningPod pod = running.remove(uid);
    metricsTargets.remove(uid);
    if (pod == null) {
      return;
    }
    if (pod.stopping) {
      console.println("pod " + name(pod.pod) + " stopped (exit code " + exitCode + ")");
      if (pod.finishDeletion) {
        finishDeletion(pod.pod);
      }
    } else {
      console.println("pod " + name(pod.pod) + " exited with code " + exitCode);
      patchStatus(PodStatuses.terminated(pod.pod, exitCode, pod.started, Instant.now(),
          terminationMessage(pod.pod, exitCode)));
    }
    retryUnschedulable();
  }

  private void stop(String uid, boolean finishDeletion) {
    unschedulable.remove(uid);
    waitingForConfig.remove(uid);
    RunningPod pod = running.get(uid);
    if (pod == null || pod.stopping) {
      return;
    }
    pod.stopping = true;
    pod.finishDeletion = finishDeletion;
    long grace = Objects.requireNonNullElse(pod.pod.getSpec().getTerminationGracePeriodSeconds(), DEFAULT_GRACE_SECONDS);
    pod.process.stop(Duration.ofSeconds(grace));
  }

  /** A real API server keeps a bound pod Terminating until its kubelet confirms; this is that. */
  private void finishDeletion(Pod pod) {
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .withGracePeriod(0).delete();
    } catch (KubernetesClientException e) {
      console.println("pod " + name(pod) + " could not be deleted: " + e.getMessage());
    }
  }

  /**
   * As a kubelet with terminationMessagePolicy FallbackToLogsOnError: a failed container's message is
   * the tail of its log (at most 80 lines and 2048 bytes), so the operator can show why it failed.
   */
  private String terminationMessage(Pod pod, int exitCode) {
    Container container = pod.getSpec().getContainers().get(0);
    if (exitCode == 0 || !"FallbackToLogsOnError".equals(container.getTerminationMessagePolicy())) {
      return null;
    }
    try {
      byte[] log = Files.readAllBytes(logFile(pod));
      String tail = new String(log, Math.max(0, log.length - TERMINATION_MESSAGE_BYTES),
          Math.min(log.length, TERMINATION_MESSAGE_BYTES), StandardCharsets.UTF_8);
      List<String> lines = tail.lines().toList();
      String message = String.join("\n", lines.subList(Math.max(0, lines.size() - TERMINATION_MESSAGE_LINES), lines.size()));
      return message.isBlank() ? null : message;
    } catch (IOException e) {
      return null;
    }
  }

  private void retryWaitingForConfig() {
    for (Map.Entry<String, WaitingPod> waiting : List.copyOf(waitingForConfig.entrySet())) {
      String uid = waiting.getKey();
      Pod pod;
      try {
        pod = client.pods().inNamespace(waiting.getValue().namespace()).withName(waiting.getValue().name()).get();
      } catch (KubernetesClientException e) {
        continue;
      }
      if (pod == null || !uid.equals(pod.getMetadata().getUid()) || pod.getMetadata().getDeletionTimestamp() != null) {
        waitingForConfig.remove(uid);
      } else if (!running.containsKey(uid)) {
        launch(pod);
      }
    }
  }

  private void retryUnschedulable() {
    List.copyOf(unschedulable.values()).forEach(this::launch);
  }

  private void patchStatus(Pod status) {
    try {
      // A JSON patch computed from the current pod: merge patches append to lists on the mock server.
      client.pods().inNamespace(status.getMetadata().getNamespace()).withName(status.getMetadata().getName())
          .editStatus(current -> {
            current.setStatus(status.getStatus());
            return current;
          });
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        console.println("pod " + name(status) + ": status not written: " + e.getMessage());
      }
    }
  }

  private Map<String, Map<String, BigDecimal>> used() {
    Map<String, Map<String, BigDecimal>> used = new HashMap<>();
    running.values().forEach(p -> p.extended.forEach((resource, amount) ->
        used.computeIfAbsent(p.node, n -> new HashMap<>()).merge(resource, amount, BigDecimal::add)));
    return used;
  }

  private Map<String, Integer> podsPerNode() {
    Map<String, Integer> count = new HashMap<>();
    running.values().forEach(p -> count.merge(p.node, 1, Integer::sum));
    return count;
  }

  private Path podDir(Pod pod) {
    String uid = pod.getMetadata().getUid();
    return workDir.resolve("pods").resolve(pod.getMetadata().getNamespace())
        .resolve(pod.getMetadata().getName() + "-" + uid.substring(0, Math.min(8, uid.length())));
  }

  private static String name(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  /** Stops the informer and every child process (SIGTERM, then SIGKILL after a few seconds). */
  @Override
  public void close() {
    retries.shutdownNow();
    if (informer != null) {
      informer.close();
    }
    actions.execute(() -> running.values().forEach(p -> {
      p.stopping = true;
      p.process.stop(Duration.ofSeconds(3));
    }));
    actions.execute(() -> running.values().forEach(p -> p.process.exit().completeOnTimeout(-1, 5, TimeUnit.SECONDS).join()));
    actions.shutdown();
    try {
      actions.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
