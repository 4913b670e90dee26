package dev.contrastive.trainer.dist;

import dev.contrastive.trainer.device.PlacementException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.stream.IntStream;

/**
 * Starts the worker JVMs of one main class on this machine with the gang's environment (like
 * torchrun), forwards their output prefixed with the rank, and fails as a whole: when one worker
 * exits non-zero the others are stopped and the launcher reports that rank's exit code (2, invalid
 * input, wins over the codes of workers that failed alongside it, so the operator fails the run
 * instead of restarting it).
 *
 * <p>Two uses: {@link #standalone} is {@code --nproc} on one machine, with its own rendezvous (and
 * optionally several simulated nodes); {@link #forNode} runs the processes of one worker pod, one
 * per GPU, from the variables the operator gave the pod.
 */
public final class LocalLauncher {

  private static final long STOP_GRACE_SECONDS = 5;
  /** Exit code of invalid input (the trainer's ExitCodes.INVALID_INPUT). */
  private static final int INVALID_INPUT = 2;
  /** Exit code of a worker that lost a peer (the trainer's ExitCodes.FAILED). */
  private static final int LOST_PEER = 1;
  /** Exit code of a JVM stopped by SIGTERM. */
  private static final int STOPPED = 143;
  /** How many GPUs the pod was given (the operator sets it from resources.gpusPerNode). */
  public static final String GPUS = "CONTRASTIVE_GPUS";
  public static final String CUDA_VISIBLE_DEVICES = "CUDA_VISIBLE_DEVICES";

  private final List<Map<String, String>> environments;
  private final List<String> jvmArguments;
  private final String mainClass;
  private final List<String> arguments;
  private final PrintStream out;

  /** {@code processes} CPU workers of one node on this machine, in this JVM's environment. */
  public LocalLauncher(
      int processes, List<String> jvmArguments, String mainClass, List<String> arguments,
      PrintStream out) {
    this(standaloneEnvironments(System.getenv(), List.of(), 1, processes), jvmArguments, mainClass, arguments,
        out);
  }

  private LocalLauncher(
      List<Map<String, String>> environments, List<String> jvmArguments, String mainClass,
      List<String> arguments, PrintStream out) {
    this.environments = List.copyOf(environments);
    this.jvmArguments = List.copyOf(jvmArguments);
    this.mainClass = mainClass;
    this.arguments = List.copyOf(arguments);
    this.out = out;
  }

  /**
   * A gang of {@code nodes} x {@code processesPerNode} workers on this machine, with a fresh
   * rendezvous port and token; {@code nodes > 1} simulates several worker pods (two-level
   * collectives see several nodes). Each worker gets {@code env} (the caller's environment, as
   * its CLI sees it) plus the gang's variables, and where there are {@code gpus} a {@value
   * #CUDA_VISIBLE_DEVICES} of its own GPU alone, one per worker in rank order, as a GPU pod's
   * processes get (see {@link #visibleGpus}).
   *
   * @throws PlacementException when there are GPUs but fewer than workers
   */
  public static LocalLauncher standalone(
      Map<String, String> env, List<String> gpus, int nodes, int processesPerNode, List<String> jvmArguments,
      String mainClass, List<String> arguments, PrintStream out) {
    return new LocalLauncher(standaloneEnvironments(env, gpus, nodes, processesPerNode), jvmArguments, mainClass,
        arguments, out);
  }

  /** {@code nodes} x {@code processesPerNode} CPU workers in this JVM's environment (tests, tools). */
  public static LocalLauncher standalone(
      int nodes, int processesPerNode, List<String> jvmArguments, String mainClass, List<String> arguments,
      PrintStream out) {
    return standalone(System.getenv(), List.of(), nodes, processesPerNode, jvmArguments, mainClass, arguments, out);
  }

  /**
   * The GPUs of this machine that standalone workers share out: the entries of {@value
   * #CUDA_VISIBLE_DEVICES} where it is set (empty: none, the CPU), else {@value #GPUS} of them,
   * else as many as the CUDA runtime counts ({@code cudaGpus}, 0 without one).
   */
  public static List<String> visibleGpus(Map<String, String> env, IntSupplier cudaGpus) {
    String visible = env.get(CUDA_VISIBLE_DEVICES);
    if (visible != null) {
      return Arrays.stream(visible.split(",")).map(String::trim).filter(id -> !id.isEmpty()).toList();
    }
    int count = env.containsKey(GPUS) ? gpuCount(env.get(GPUS)) : cudaGpus.getAsInt();
    return IntStream.range(0, count).mapToObj(Integer::toString).toList();
  }

  private static int gpuCount(String value) {
    try {
      int count = Integer.parseInt(value.trim());
      if (count >= 0) {
        return count;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new DistributedException("environment variable " + GPUS + " must be an integer >= 0, got '" + value + "'");
  }

  /**
   * The processes of one worker pod (NODE_RANK, NPROC_PER_NODE, WORLD_SIZE in {@code podEnv}):
   * each child gets the pod's variables plus RANK, LOCAL_RANK and LOCAL_WORLD_SIZE, and on a GPU
   * pod ({@value #GPUS} > 0) a {@value #CUDA_VISIBLE_DEVICES} of its own GPU alone, so everything
   * in the child, DJL's default device included, uses that GPU.
   */
  public static LocalLauncher forNode(
      Map<String, String> podEnv, List<String> jvmArguments, String mainClass, List<String> arguments,
      PrintStream out) {
    return new LocalLauncher(nodeEnvironments(podEnv), jvmArguments, mainClass, arguments, out);
  }

  /** Whether this process is a pod's launcher: several processes per node, no LOCAL_RANK yet. */
  public static boolean launchesNode(Map<String, String> env) {
    return env.containsKey("WORLD_SIZE") && !env.containsKey(NodeLayout.LOCAL_RANK)
        && NodeLayout.positive(env, NodeLayout.NPROC_PER_NODE, 1) > 1;
  }

  private static List<Map<String, String>> standaloneEnvironments(
      Map<String, String> base, List<String> gpus, int nodes, int perNode) {
    if (nodes < 1 || perNode < 1) {
      throw new IllegalArgumentException(
          "--nodes and --nproc must be at least 1, got " + nodes + " and " + perNode);
    }
    if (!gpus.isEmpty() && gpus.size() < nodes * perNode) {
      throw new PlacementException("--nodes " + nodes + " x --nproc " + perNode + " = " + nodes * perNode
          + " processes, but this machine has " + gpus.size() + " GPUs (" + String.join(",", gpus)
          + "): one process per GPU, so at most " + gpus.size() + ", or " + CUDA_VISIBLE_DEVICES
          + "= (empty) to run on the CPU");
    }
    int masterPort = freePort();
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    String token = HexFormat.of().formatHex(secret);
    List<Map<String, String>> environments = new ArrayList<>();
    for (int rank = 0; rank < nodes * perNode; rank++) {
      NodeLayout layout = NodeLayout.of(rank, perNode);
      Map<String, String> env = new HashMap<>(base);
      env.remove("DATA_PORT"); // one machine: each rank takes a free port of its own
      env.put("RANK", Integer.toString(rank));
      env.put(NodeLayout.LOCAL_RANK, Integer.toString(layout.localRank()));
      env.put(NodeLayout.NODE_RANK, Integer.toString(layout.nodeRank()));
      env.put(NodeLayout.NPROC_PER_NODE, Integer.toString(perNode));
      env.put(NodeLayout.LOCAL_WORLD_SIZE, Integer.toString(perNode));
      env.put("WORLD_SIZE", Integer.toString(nodes * perNode));
      env.put("MASTER_ADDR", "127.0.0.1");
      env.put("MASTER_PORT", Integer.toString(masterPort));
      env.put("RENDEZVOUS_TOKEN", token);
      env.put("POD_IP", "127.0.0.1");
      env.put("OPT_OUT_TRACKING", "true");
      env.put("DJL_OFFLINE", "true");
      if (!gpus.isEmpty()) {
        env.put(CUDA_VISIBLE_DEVICES, gpus.get(rank));
      }
      environments.add(Map.copyOf(env));
    }
    return environments;
  }

  private static List<Map<String, String>> nodeEnvironments(Map<String, String> podEnv) {
    int perNode = NodeLayout.positive(podEnv, NodeLayout.NPROC_PER_NODE, 1);
    // RANK of the node's first process; checks NODE_RANK against WORLD_SIZE / NPROC_PER_NODE
    int firstRank = WorkerEnvironment.fromEnvironment(withLocalRank(podEnv, 0), 1).rank();
    NodeLayout.fromEnvironment(podEnv, firstRank, Integer.parseInt(podEnv.get("WORLD_SIZE").trim()));
    int gpus = podEnv.containsKey(GPUS) ? gpuCount(podEnv.get(GPUS)) : 0;
    List<String> visible = podEnv.containsKey(CUDA_VISIBLE_DEVICES)
        ? List.of(podEnv.get(CUDA_VISIBLE_DEVICES).split(","))
        : List.of();
    List<Map<String, String>> environments = new ArrayList<>();
    for (int local = 0; local < perNode; local++) {
      Map<String, String> env = new HashMap<>(podEnv);
      env.put("RANK", Integer.toString(firstRank + local));
      env.put(NodeLayout.LOCAL_RANK, Integer.toString(local));
      env.put(NodeLayout.LOCAL_WORLD_SIZE, Integer.toString(perNode));
      if (gpus > 0) {
        // the pod's GPUs are 0..n-1 inside the container unless the runtime named them already
        env.put(CUDA_VISIBLE_DEVICES,
            local < visible.size() ? visible.get(local).trim() : Integer.toString(local));
      }
      environments.add(Map.copyOf(env));
    }
    return environments;
  }

  private static Map<String, String> withLocalRank(Map<String, String> env, int local) {
    Map<String, String> copy = new HashMap<>(env);
    copy.remove("RANK");
    copy.put(NodeLayout.LOCAL_RANK, Integer.toString(local));
    return copy;
  }

  /** The variables worker {@code index} of this launcher gets (see {@link WorkerEnvironment}). */
  public Map<String, String> environmentFor(int index) {
    return environments.get(index);
  }

  /** How many workers this launcher starts. */
  public int processes() {
    return environments.size();
  }

  /** The command of one worker: this JVM's java and class path. */
  public List<String> command() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArguments);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(arguments);
    return command;
  }

  /** Runs the gang to the end; returns 0, or the exit code of the worker whose failure ended it. */
  public int run() {
    List<Process> workers = new ArrayList<>();
    List<Thread> forwarders = new ArrayList<>();
    BlockingQueue<Integer> exited = new LinkedBlockingQueue<>();
    Thread stopOnExit = new Thread(() -> stopAll(workers));
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    try {
      for (int index = 0; index < environments.size(); index++) {
        workers.add(start(index, forwarders));
        int finalIndex = index;
        workers.get(index).onExit().thenRun(() -> exited.add(finalIndex));
      }
      for (int done = 0; done < environments.size(); done++) {
        int index = exited.take();
        forwarders.get(index).join(TimeUnit.SECONDS.toMillis(STOP_GRACE_SECONDS));
        if (workers.get(index).exitValue() != 0) {
          out.println("worker rank " + rankOf(index) + " exited with code " + workers.get(index).exitValue()
              + "; stopping the other workers");
          Set<Integer> killed = stopAll(workers);
          int cause = cause(workers, index, killed);
          int code = workers.get(cause).exitValue();
          out.println("worker rank " + rankOf(cause) + " failed with exit code " + code + "; the gang is stopped");
          return code;
        }
      }
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopAll(workers);
      return 130;
    } finally {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    }
  }

  /**
   * The worker whose failure explains the gang's, once all have exited: one that found invalid
   * input (2, so the run fails instead of being retried), else one that exited with a code of its
   * own, else {@code firstSeen}. Codes not of their own: 1, with which workers exit when they lose
   * a peer, and what stopping gave the others (143, or 137 where they had to be killed). The order
   * in which exits are seen cannot decide: a peer that loses the failed worker may exit and be seen
   * before it.
   */
  static int cause(List<Process> workers, int firstSeen, Set<Integer> killed) {
    for (int index = 0; index < workers.size(); index++) {
      if (exitCode(workers.get(index)) == INVALID_INPUT) {
        return index;
      }
    }
    int code = exitCode(workers.get(firstSeen));
    if (code != LOST_PEER && code != STOPPED) {
      return firstSeen;
    }
    for (int index = 0; index < workers.size(); index++) {
      int own = exitCode(workers.get(index));
      if (own > 0 && own != LOST_PEER && own != STOPPED && !killed.contains(index)) {
        return index;
      }
    }
    return firstSeen;
  }

  /** The exit code, or -1 for a worker still running (only when stopping was interrupted). */
  private static int exitCode(Process worker) {
    return worker.isAlive() ? -1 : worker.exitValue();
  }

  private String rankOf(int index) {
    return environments.get(index).getOrDefault("RANK", Integer.toString(index));
  }

  private Process start(int index, List<Thread> forwarders) {
    String rank = rankOf(index);
    ProcessBuilder builder = new ProcessBuilder(command()).redirectErrorStream(true);
    builder.environment().putAll(environmentFor(index));
    try {
      Process process = builder.start();
      Thread forwarder = new Thread(() -> forward(rank, process), "rank-" + rank + "-output");
      forwarder.setDaemon(true);
      forwarder.start();
      forwarders.add(forwarder);
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start worker rank " + rank + ": " + e.getMessage(), e);
    }
  }

  private void forward(String rank, Process process) {
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String prefix = "[rank " + rank + "] ";
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        out.println(prefix + line);
      }
    } catch (IOException ignored) {
      // the worker is gone; its exit code tells what happened
    }
  }

  /** Stops the workers still running and waits for every one; returns the indexes that had to be killed. */
  private static Set<Integer> stopAll(List<Process> workers) {
    workers.forEach(Process::destroy);
    Set<Integer> killed = new HashSet<>();
    for (int index = 0; index < workers.size(); index++) {
      Process worker = workers.get(index);
      try {
        if (!worker.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
          worker.destroyForcibly();
          killed.add(index);
          worker.waitFor();
        }
      } catch (InterruptedException e) {
        worker.destroyForcibly();
        killed.add(index);
        Thread.currentThread().interrupt();
      }
    }
    return killed;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port for the rendezvous: " + e.getMessage(), e);
    }
  }
}
