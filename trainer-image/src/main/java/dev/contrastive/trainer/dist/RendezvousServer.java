package dev.contrastive.trainer.dist;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rank 0's rendezvous service. It greets each connection with {@code CHALLENGE version nonce}; a
 * rank answers {@code HELLO version runId rank worldSize host dataPort clientNonce mac}, the MAC
 * proving it holds the run's token (see {@link RingProtocol}). Once every rank has said hello,
 * each gets {@code TABLE mac session host:port ...}, signed over its own nonce. A refused hello
 * gets {@code REFUSED reason} and is logged; a connection that says nothing is closed after
 * {@link #HELLO_TIMEOUT}. Netty keeps many slow connections (pods start minutes apart) cheap and
 * gives one event-loop thread, so the registration state needs no locks.
 */
final class RendezvousServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RendezvousServer.class);
  private static final int MAX_LINE = 1024;
  /** How long a connection may stay silent before its hello; pods connect once they are up. */
  static final Duration HELLO_TIMEOUT = Duration.ofSeconds(10);

  private final String token;
  private final String runId;
  private final int worldSize;
  private final Duration timeout;
  private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel[] channels;
  private final RankAddress[] addresses;
  private final String[] nonces;
  private Channel serverChannel;
  private boolean finished;

  RendezvousServer(String token, String runId, int worldSize, Duration timeout) {
    this.token = token;
    this.runId = runId;
    this.worldSize = worldSize;
    this.timeout = timeout;
    this.channels = new Channel[worldSize];
    this.addresses = new RankAddress[worldSize];
    this.nonces = new String[worldSize];
  }

  /** Binds all interfaces on {@code port} (0 picks one) and returns the bound port. */
  int start(int port) {
    try {
      serverChannel =
          new ServerBootstrap()
              .group(loop)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(new LineBasedFrameDecoder(MAX_LINE))
                          .addLast(new StringDecoder(StandardCharsets.UTF_8))
                          .addLast(new StringEncoder(StandardCharsets.UTF_8))
                          .addLast(new HelloHandler());
                    }
                  })
              .bind(new InetSocketAddress(port))
              .sync()
              .channel();
    } catch (Exception e) {
      loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new DistributedException(
          "rank 0 cannot listen for the rendezvous on port " + port + ": " + e.getMessage(), e);
    }
    loop.schedule(this::timedOut, timeout.toMillis(), TimeUnit.MILLISECONDS);
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  private void timedOut() {
    if (finished) {
      return;
    }
    List<Integer> missing = new ArrayList<>();
    for (int rank = 0; rank < worldSize; rank++) {
      if (channels[rank] == null) {
        missing.add(rank);
      }
    }
    String reason =
        "rendezvous timed out after " + DistributedException.describe(timeout) + ": ranks " + missing
            + " never arrived";
    LOG.error(reason);
    refuseAll("REFUSED " + reason);
  }

  private void register(ChannelHandlerContext ctx, String line, String nonce) {
    String refusal = validate(line, nonce);
    if (refusal != null) {
      LOG.warn("refused rendezvous from {}: {}", ctx.channel().remoteAddress(), refusal);
      ctx.writeAndFlush("REFUSED " + refusal + "\n").addListener(ChannelFutureListener.CLOSE);
      return;
    }
    String[] f = line.split(" ");
    int rank = Integer.parseInt(f[3]);
    channels[rank] = ctx.channel();
    addresses[rank] = new RankAddress(rank, f[5], Integer.parseInt(f[6]));
    nonces[rank] = f[7];
    LOG.info("rendezvous: {} joined", addresses[rank].describe());
    for (Channel channel : channels) {
      if (channel == null) {
        return;
      }
    }
    RankTable table = new RankTable(new SecureRandom().nextLong(), List.of(addresses));
    finished = true;
    String body = table.encode().substring("TABLE ".length());
    for (int r = 0; r < worldSize; r++) {
      String mac = RingProtocol.macHex(token, "table", nonces[r], body);
      channels[r].writeAndFlush("TABLE " + mac + " " + body + "\n").addListener(ChannelFutureListener.CLOSE);
    }
    serverChannel.close();
  }

  /** Returns why the hello is refused, or null when it is accepted. */
  private String validate(String line, String nonce) {
    if (finished) {
      return "the rendezvous is over";
    }
    String[] f = line.split(" ");
    if (f.length < 2 || !f[0].equals("HELLO")) {
      return "malformed hello (not a trainer of this protocol)";
    }
    int version;
    try {
      version = Integer.parseInt(f[1]);
    } catch (NumberFormatException e) {
      return "malformed hello (not a trainer of this protocol)";
    }
    if (version != RingProtocol.VERSION) {
      return RingProtocol.mismatch("the joining process", version);
    }
    if (f.length != 9) {
      return "malformed hello";
    }
    int rank;
    int world;
    int port;
    try {
      rank = Integer.parseInt(f[3]);
      world = Integer.parseInt(f[4]);
      port = Integer.parseInt(f[6]);
    } catch (NumberFormatException e) {
      return "malformed hello";
    }
    String expected = RingProtocol.macHex(token, "hello", nonce, version, f[2], rank, world, f[5], port, f[7]);
    if (!RingProtocol.sameMacHex(expected, f[8])) {
      return "wrong token";
    }
    if (!f[2].equals(runId)) {
      return "rank " + rank + " belongs to run " + f[2] + ", rank 0 to run " + runId;
    }
    if (world != worldSize) {
      return "world size " + world + " does not match rank 0's " + worldSize;
    }
    if (rank < 0 || rank >= worldSize) {
      return "rank " + rank + " is out of range [0, " + (worldSize - 1) + "]";
    }
    if (channels[rank] != null) {
      return "rank " + rank + " has already joined from " + addresses[rank].host();
    }
    if (port < 1 || port > 65535) {
      return "data port " + port + " is out of range";
    }
    return null;
  }

  private void refuseAll(String answer) {
    finished = true;
    for (Channel channel : channels) {
      if (channel != null) {
        channel.writeAndFlush(answer + "\n").addListener(ChannelFutureListener.CLOSE);
      }
    }
    serverChannel.close();
  }

  @Override
  public void close() {
    loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class HelloHandler extends SimpleChannelInboundHandler<String> {

    private final String nonce = RingProtocol.nonce();
    private boolean spoke;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.writeAndFlush("CHALLENGE " + RingProtocol.VERSION + " " + nonce + "\n");
      ctx.executor().schedule(() -> {
        if (!spoke && ctx.channel().isActive()) {
          LOG.warn("rendezvous: closed a connection from {} that sent no hello within {}",
              ctx.channel().remoteAddress(), DistributedException.describe(HELLO_TIMEOUT));
          ctx.close();
        }
      }, HELLO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
      spoke = true;
      register(ctx, line.trim(), nonce);
    }

    /** A rank that leaves before the table is out may come back (a restarted pod). */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      for (int rank = 0; rank < worldSize; rank++) {
        if (!finished && channels[rank] == ctx.channel()) {
          LOG.warn("rendezvous: {} left before every rank arrived", addresses[rank].describe());
          channels[rank] = null;
          addresses[rank] = null;
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.warn("rendezvous connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }
}
