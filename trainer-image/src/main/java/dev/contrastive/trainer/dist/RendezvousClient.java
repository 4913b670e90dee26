package dev.contrastive.trainer.dist;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One rank's side of the rendezvous: a single blocking request and answer, so a plain socket with
 * timeouts is enough. Rank 0 may start later than this rank, hence the connect retries.
 */
final class RendezvousClient {

  /** Extra wait after the deadline, so rank 0's own "ranks [...] never arrived" answer wins. */
  private static final Duration GRACE = Duration.ofSeconds(5);
  private static final long RETRY_MILLIS = 200;

  private RendezvousClient() {}

  static RankTable join(WorkerEnvironment env, int dataPort, Duration timeout) {
    String master = env.masterAddress() + ":" + env.masterPort();
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket()) {
        socket.setTcpNoDelay(true);
        socket.connect(
            new InetSocketAddress(env.masterAddress(), env.masterPort()),
            (int) Math.max(1, millisUntil(deadline)));
        return exchange(socket, env, dataPort, deadline + GRACE.toNanos(), master, timeout);
      } catch (ConnectException | SocketTimeoutException | UnknownHostException e) {
        last = e; // rank 0 (or its DNS name) is not up yet
      } catch (IOException e) {
        throw new DistributedException(
            "rendezvous with rank 0 at " + master + " failed: " + e.getMessage(), e);
      }
      sleep(Math.min(RETRY_MILLIS, Math.max(0, millisUntil(deadline))));
    }
    throw new DistributedException(
        "rendezvous timed out after " + DistributedException.describe(timeout) + ": could not reach rank 0 at "
            + master + (last == null ? "" : " (" + last.getMessage() + ")"));
  }

  private static RankTable exchange(
      Socket socket, WorkerEnvironment env, int dataPort, long deadline, String master,
      Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.max(1, millisUntil(deadline)));
    BufferedReader in =
        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    String serverNonce = challenge(readLine(in, master, timeout, "no challenge"), master);
    String clientNonce = RingProtocol.nonce();
    String mac = RingProtocol.macHex(env.token(), "hello", serverNonce, RingProtocol.VERSION, env.runId(),
        env.rank(), env.worldSize(), env.podIp(), dataPort, clientNonce);
    String hello = "HELLO " + RingProtocol.VERSION + " " + env.runId() + " " + env.rank() + " " + env.worldSize()
        + " " + env.podIp() + " " + dataPort + " " + clientNonce + " " + mac + "\n";
    OutputStream out = socket.getOutputStream();
    out.write(hello.getBytes(StandardCharsets.UTF_8));
    out.flush();
    String answer = readLine(in, master, timeout, "no table of ranks");
    if (answer.startsWith("REFUSED ")) {
      throw new DistributedException(
          "rendezvous refused by rank 0 at " + master + ": " + answer.substring(8));
    }
    String[] signed = answer.split(" ", 3);
    if (signed.length != 3 || !signed[0].equals("TABLE")) {
      throw new DistributedException("rendezvous: unexpected answer from rank 0 at " + master);
    }
    if (!RingProtocol.sameMacHex(RingProtocol.macHex(env.token(), "table", clientNonce, signed[2]), signed[1])) {
      throw new DistributedException("rendezvous: the table of ranks from " + master
          + " is not signed with this run's token (another run's rank 0 at that address?)");
    }
    try {
      return RankTable.decode(signed[2], env.worldSize());
    } catch (RuntimeException e) {
      throw new DistributedException("rendezvous: malformed table of ranks from rank 0 at " + master, e);
    }
  }

  /** Checks rank 0's greeting and returns its nonce. */
  private static String challenge(String line, String master) {
    String[] f = line.split(" ");
    if (f.length != 3 || !f[0].equals("CHALLENGE")) {
      throw new DistributedException("rendezvous: rank 0 at " + master
          + " did not greet with a challenge (not a trainer of ring protocol " + RingProtocol.VERSION + ")");
    }
    int version;
    try {
      version = Integer.parseInt(f[1]);
    } catch (NumberFormatException e) {
      version = -1;
    }
    if (version != RingProtocol.VERSION) {
      throw new DistributedException("rendezvous: " + RingProtocol.mismatch("rank 0 at " + master, version));
    }
    return f[2];
  }

  private static String readLine(BufferedReader in, String master, Duration timeout, String missing)
      throws IOException {
    try {
      String line = in.readLine();
      if (line == null) {
        throw new DistributedException(
            "rendezvous: rank 0 at " + master + " closed the connection without an answer");
      }
      return line;
    } catch (SocketTimeoutException e) {
      throw new DistributedException(
          "rendezvous timed out after " + DistributedException.describe(timeout) + ": rank 0 at " + master
              + " sent " + missing);
    }
  }

  private static long millisUntil(long deadlineNanos) {
    return Duration.ofNanos(deadlineNanos - System.nanoTime()).toMillis();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DistributedException("rendezvous interrupted");
    }
  }
}
