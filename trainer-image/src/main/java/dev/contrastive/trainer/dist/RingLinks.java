package dev.contrastive.trainer.dist;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two TCP connections of one rank in the ring: it sends to the next rank and receives from the
 * previous one. Each connection starts with the session id and the sender's rank, so a stray or
 * stale connection (an old gang, a port scan) is dropped instead of joining the ring.
 */
final class RingLinks implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RingLinks.class);
  private static final int HANDSHAKE_BYTES = Long.BYTES + Integer.BYTES;

  final SocketChannel toNext;
  final SocketChannel fromPrevious;
  final RankAddress next;
  final RankAddress previous;

  private RingLinks(
      SocketChannel toNext, SocketChannel fromPrevious, RankAddress next, RankAddress previous) {
    this.toNext = toNext;
    this.fromPrevious = fromPrevious;
    this.next = next;
    this.previous = previous;
  }

  /** Listens on all interfaces; the port goes into the rendezvous hello. */
  static ServerSocketChannel listen(int port) {
    try {
      ServerSocketChannel server = ServerSocketChannel.open();
      server.bind(new InetSocketAddress(port));
      return server;
    } catch (IOException e) {
      throw new DistributedException("cannot listen for ring connections on port " + port + ": "
          + e.getMessage(), e);
    }
  }

  static RingLinks connect(ServerSocketChannel server, RankTable table, int rank, Duration timeout) {
    int world = table.ranks().size();
    RankAddress next = table.ranks().get((rank + 1) % world);
    RankAddress previous = table.ranks().get((rank + world - 1) % world);
    long deadline = System.nanoTime() + timeout.toNanos();
    SocketChannel out = null;
    try {
      // The next rank listened before the rendezvous, so the kernel completes this connect and
      // buffers the handshake even before that rank calls accept: no ordering deadlock.
      out = connectTo(next, table.session(), rank, deadline);
      SocketChannel in = acceptFrom(server, previous, table.session(), deadline);
      return new RingLinks(out, in, next, previous);
    } catch (RuntimeException e) {
      closeQuietly(out);
      throw e;
    }
  }

  private static SocketChannel connectTo(RankAddress next, long session, int rank, long deadline) {
    SocketChannel channel = null;
    try {
      channel = SocketChannel.open();
      channel.socket().connect(
          new InetSocketAddress(next.host(), next.dataPort()), (int) millisLeft(deadline));
      configure(channel);
      ByteBuffer hello = ByteBuffer.allocate(HANDSHAKE_BYTES).putLong(session).putInt(rank).flip();
      while (hello.hasRemaining()) {
        channel.write(hello);
      }
      return channel;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new DistributedException(
          "cannot connect to " + next.describe() + " to form the ring: " + e.getMessage(), e);
    }
  }

  private static SocketChannel acceptFrom(
      ServerSocketChannel server, RankAddress previous, long session, long deadline) {
    while (true) {
      Socket socket = null;
      try {
        server.socket().setSoTimeout((int) millisLeft(deadline));
        socket = server.socket().accept();
        socket.setSoTimeout((int) millisLeft(deadline));
        DataInputStream in = new DataInputStream(socket.getInputStream());
        long theirSession = in.readLong();
        int theirRank = in.readInt();
        if (theirSession == session && theirRank == previous.rank()) {
          SocketChannel channel = socket.getChannel();
          configure(channel);
          return channel;
        }
        LOG.warn("dropped a ring connection from {}: not {} of this session",
            socket.getRemoteSocketAddress(), previous.describe());
        socket.close();
      } catch (SocketTimeoutException e) {
        closeQuietly(socket);
        throw new DistributedException(
            previous.describe() + " did not connect to form the ring in time");
      } catch (IOException e) {
        closeQuietly(socket);
        if (millisLeft(deadline) <= 1) {
          throw new DistributedException(
              previous.describe() + " did not connect to form the ring: " + e.getMessage(), e);
        }
      }
    }
  }

  private static void configure(SocketChannel channel) throws IOException {
    channel.socket().setSoTimeout(0); // the ring's selector enforces the peer timeout instead
    channel.socket().setTcpNoDelay(true); // barriers and small all-gathers must not wait 40 ms
    channel.configureBlocking(false);
  }

  private static long millisLeft(long deadlineNanos) {
    return Math.max(1, Duration.ofNanos(deadlineNanos - System.nanoTime()).toMillis());
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable != null) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // already failing; the first error is the one reported
      }
    }
  }

  @Override
  public void close() {
    closeQuietly(toNext);
    closeQuietly(fromPrevious);
  }
}
