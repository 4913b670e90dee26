package dev.contrastive.trainer.dist;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two TCP connections of one rank in the ring: it sends to the next rank and receives from the
 * previous one. Each connection starts with a handshake (magic, protocol version, session id,
 * sender's rank and an HMAC of them under the run's token), so only a rank of this gang joins the
 * ring; a stray, stale or garbled connection (an old gang, a port scan) is dropped and logged.
 *
 * <p>Connections are accepted and read on one selector, each with its own handshake deadline, so a
 * connection that sends nothing cannot hold up the previous rank's. Plain NIO rather than Netty:
 * the accepted channel is handed to {@link RingTransfer}'s own selector loop, and Netty does not
 * give up the channels it owns.
 */
final class RingLinks implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RingLinks.class);
  static final int HANDSHAKE_BYTES = 2 * Integer.BYTES + Long.BYTES + Integer.BYTES + RingProtocol.MAC_BYTES;
  /** How long one connection may take to send its handshake; a ring connects in milliseconds. */
  static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

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

  /** Links over already connected channels (tests of the framing). */
  static RingLinks of(SocketChannel toNext, SocketChannel fromPrevious, RankAddress next, RankAddress previous)
      throws IOException {
    configure(toNext);
    configure(fromPrevious);
    return new RingLinks(toNext, fromPrevious, next, previous);
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

  static RingLinks connect(ServerSocketChannel server, RankTable table, int rank, String token, Duration timeout) {
    int world = table.ranks().size();
    RankAddress next = table.ranks().get((rank + 1) % world);
    RankAddress previous = table.ranks().get((rank + world - 1) % world);
    long deadline = System.nanoTime() + timeout.toNanos();
    SocketChannel out = null;
    try {
      // The next rank listened before the rendezvous, so the kernel completes this connect and
      // buffers the handshake even before that rank calls accept: no ordering deadlock.
      out = connectTo(next, table.session(), rank, token, deadline);
      SocketChannel in = acceptFrom(server, previous, table.session(), token, deadline);
      return new RingLinks(out, in, next, previous);
    } catch (RuntimeException e) {
      closeQuietly(out);
      throw e;
    }
  }

  /** The handshake rank {@code rank} of {@code session} sends. */
  static ByteBuffer handshake(long session, int rank, String token) {
    return ByteBuffer.allocate(HANDSHAKE_BYTES)
        .putInt(RingProtocol.MAGIC)
        .putInt(RingProtocol.VERSION)
        .putLong(session)
        .putInt(rank)
        .put(RingProtocol.mac(token, "ring", RingProtocol.VERSION, session, rank))
        .flip();
  }

  private static SocketChannel connectTo(RankAddress next, long session, int rank, String token, long deadline) {
    SocketChannel channel = null;
    try {
      channel = SocketChannel.open();
      channel.socket().connect(
          new InetSocketAddress(next.host(), next.dataPort()), (int) millisLeft(deadline));
      configure(channel);
      ByteBuffer hello = handshake(session, rank, token);
      while (hello.hasRemaining()) {
        channel.write(hello); // 52 bytes into an empty socket buffer: never short in practice
      }
      return channel;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new DistributedException(
          "cannot connect to " + next.describe() + " to form the ring: " + e.getMessage(), e);
    }
  }

  /** A connection whose handshake is still arriving. */
  private record Pending(SocketChannel channel, SocketAddress from, ByteBuffer handshake, long deadline) {}

  private static SocketChannel acceptFrom(
      ServerSocketChannel server, RankAddress previous, long session, String token, long deadline) {
    List<Pending> pending = new ArrayList<>();
    int dropped = 0;
    try (Selector selector = Selector.open()) {
      server.configureBlocking(false);
      server.register(selector, SelectionKey.OP_ACCEPT);
      while (true) {
        long now = System.nanoTime();
        if (now >= deadline) {
          throw new DistributedException(previous.describe() + " did not connect to form the ring in time"
              + (dropped + pending.size() > 0
                  ? " (" + (dropped + pending.size()) + " other connection(s) were not from it)" : ""));
        }
        long wake = deadline;
        for (Pending p : pending) {
          wake = Math.min(wake, p.deadline());
        }
        selector.select(Math.max(1, (wake - now) / 1_000_000));
        selector.selectedKeys().clear();
        SocketChannel accepted;
        while ((accepted = server.accept()) != null) {
          accepted.configureBlocking(false);
          accepted.register(selector, SelectionKey.OP_READ);
          pending.add(new Pending(accepted, accepted.getRemoteAddress(), ByteBuffer.allocate(HANDSHAKE_BYTES),
              Math.min(deadline, System.nanoTime() + HANDSHAKE_TIMEOUT.toNanos())));
        }
        for (Pending p : List.copyOf(pending)) {
          String refusal = read(p, previous, session, token);
          if (refusal == null && !p.handshake().hasRemaining()) {
            p.channel().keyFor(selector).cancel();
            pending.remove(p);
            pending.forEach(other -> closeQuietly(other.channel()));
            selector.selectNow(); // completes the cancel, so the ring's selector may take the channel
            configure(p.channel());
            return p.channel();
          }
          if (refusal == null && System.nanoTime() >= p.deadline()) {
            refusal = "sent no complete handshake within " + DistributedException.describe(HANDSHAKE_TIMEOUT);
          }
          if (refusal != null) {
            LOG.warn("dropped a ring connection from {}: {}", p.from(), refusal);
            closeQuietly(p.channel());
            pending.remove(p);
            dropped++;
          }
        }
      }
    } catch (IOException e) {
      pending.forEach(p -> closeQuietly(p.channel()));
      throw new DistributedException(previous.describe() + " did not connect to form the ring: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      pending.forEach(p -> closeQuietly(p.channel()));
      throw e;
    }
  }

  /** Reads what has arrived; returns why the connection is refused, or null (complete or not yet). */
  private static String read(Pending p, RankAddress previous, long session, String token) {
    ByteBuffer buffer = p.handshake();
    try {
      if (buffer.hasRemaining() && p.channel().read(buffer) < 0) {
        return "closed before its handshake was complete";
      }
    } catch (IOException e) {
      return e.getMessage();
    }
    if (buffer.position() >= Integer.BYTES && buffer.getInt(0) != RingProtocol.MAGIC) {
      return "not a ring handshake (first bytes " + String.format("0x%08x", buffer.getInt(0)) + ")";
    }
    if (buffer.position() >= 2 * Integer.BYTES && buffer.getInt(Integer.BYTES) != RingProtocol.VERSION) {
      return RingProtocol.mismatch("it", buffer.getInt(Integer.BYTES));
    }
    if (buffer.hasRemaining()) {
      return null;
    }
    long theirSession = buffer.getLong(2 * Integer.BYTES);
    int theirRank = buffer.getInt(2 * Integer.BYTES + Long.BYTES);
    byte[] mac = Arrays.copyOfRange(buffer.array(), HANDSHAKE_BYTES - RingProtocol.MAC_BYTES, HANDSHAKE_BYTES);
    if (!RingProtocol.sameMac(RingProtocol.mac(token, "ring", RingProtocol.VERSION, theirSession, theirRank), mac)) {
      return "its handshake is not signed with this run's token";
    }
    if (theirSession != session || theirRank != previous.rank()) {
      return "rank " + theirRank + " of session " + theirSession + ", not " + previous.describe()
          + " of session " + session + " (a rank of an earlier gang?)";
    }
    return null;
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
