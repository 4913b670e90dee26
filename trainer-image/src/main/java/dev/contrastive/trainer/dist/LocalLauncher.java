package dev.contrastive.trainer.dist;

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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Starts N worker JVMs of one main class on this machine with the gang's environment (like
 * torchrun), forwards their output prefixed with the rank, and fails as a whole: when one worker
 * exits non-zero the others are stopped and the launcher reports that rank's exit code.
 */
public final class LocalLauncher {

  private static final long STOP_GRACE_SECONDS = 5;

  private final int processes;
  private final List<String> jvmArguments;
  private final String mainClass;
  private final List<String> arguments;
  private final PrintStream out;
  private final int masterPort;
  private final String token;

  public LocalLauncher(
      int processes, List<String> jvmArguments, String mainClass, List<String> arguments,
      PrintStream out) {
    if (processes < 1) {
      throw new IllegalArgumentException("--nproc must be at least 1, got " + processes);
    }
    this.processes = processes;
    this.jvmArguments = List.copyOf(jvmArguments);
    this.mainClass = mainClass;
    this.arguments = List.copyOf(arguments);
    this.out = out;
    this.masterPort = freePort();
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    this.token = HexFormat.of().formatHex(secret);
  }

  /** The variables a worker of this gang gets (see {@link WorkerEnvironment}). */
  public Map<String, String> environmentFor(int rank) {
    return Map.of(
        "RANK", Integer.toString(rank),
        "LOCAL_RANK", Integer.toString(rank),
        "WORLD_SIZE", Integer.toString(processes),
        "MASTER_ADDR", "127.0.0.1",
        "MASTER_PORT", Integer.toString(masterPort),
        "RENDEZVOUS_TOKEN", token,
        "POD_IP", "127.0.0.1",
        "OPT_OUT_TRACKING", "true",
        "DJL_OFFLINE", "true");
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

  /** Runs the gang to the end; returns 0, or the exit code of the first worker that failed. */
  public int run() {
    List<Process> workers = new ArrayList<>();
    List<Thread> forwarders = new ArrayList<>();
    BlockingQueue<Integer> exited = new LinkedBlockingQueue<>();
    Thread stopOnExit = new Thread(() -> stopAll(workers));
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    try {
      for (int rank = 0; rank < processes; rank++) {
        workers.add(start(rank, forwarders));
        int finalRank = rank;
        workers.get(rank).onExit().thenRun(() -> exited.add(finalRank));
      }
      for (int done = 0; done < processes; done++) {
        int rank = exited.take();
        int code = workers.get(rank).exitValue();
        forwarders.get(rank).join(TimeUnit.SECONDS.toMillis(STOP_GRACE_SECONDS));
        if (code != 0) {
          out.println("worker rank " + rank + " failed with exit code " + code
              + "; stopping the other workers");
          stopAll(workers);
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

  private Process start(int rank, List<Thread> forwarders) {
    ProcessBuilder builder = new ProcessBuilder(command()).redirectErrorStream(true);
    builder.environment().putAll(environmentFor(rank));
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

  private void forward(int rank, Process process) {
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

  private static void stopAll(List<Process> workers) {
    workers.forEach(Process::destroy);
    for (Process worker : workers) {
      try {
        if (!worker.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
          worker.destroyForcibly();
        }
      } catch (InterruptedException e) {
        worker.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port for the rendezvous: " + e.getMessage(), e);
    }
  }
}
