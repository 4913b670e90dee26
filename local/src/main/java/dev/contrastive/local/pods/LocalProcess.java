package dev.contrastive.local.pods;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One container as a child process: output goes to the pod's log file and, prefixed with the pod
 * name, to the console.
 */
public final class LocalProcess {

  private final Process process;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();

  private LocalProcess(Process process) {
    this.process = process;
  }

  /**
   * Starts the command with this process's env (PATH, HOME, caches) overlaid by the pod's env.
   * DJL's telemetry and downloads are always off for children.
   */
  public static LocalProcess start(List<String> command, Map<String, String> env, Path workingDir,
      Path logFile, String prefix, PrintStream console) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    builder.environment().put("OPT_OUT_TRACKING", "true");
    builder.environment().put("DJL_OFFLINE", "true");
    Files.createDirectories(logFile.getParent());
    Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
    LocalProcess local = new LocalProcess(builder.start());
    Thread pump = new Thread(() -> local.pump(log, prefix, console), "log-" + prefix);
    pump.setDaemon(true);
    pump.start();
    return local;
  }

  /** Completes with the exit code once the process ended and its output is written. */
  public CompletableFuture<Integer> exit() {
    return exit;
  }

  public long pid() {
    return process.pid();
  }

  /** SIGTERM to the process and its children; SIGKILL to what is left after the grace period. */
  public void stop(Duration grace) {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    process.onExit().orTimeout(grace.toMillis(), TimeUnit.MILLISECONDS).exceptionally(timeout -> {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      return process;
    });
  }

  private void pump(Writer log, String prefix, PrintStream console) {
    try (log; BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        log.write(line);
        log.write('\n');
        log.flush();
        console.println("[" + prefix + "] " + line);
      }
    } catch (IOException e) {
      console.println("[" + prefix + "] log stopped: " + e.getMessage());
    }
    try {
      exit.complete(process.waitFor());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exit.completeExceptionally(e);
    }
  }
}
