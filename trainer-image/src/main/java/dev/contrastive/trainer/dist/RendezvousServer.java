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
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rank 0's rendezvous service. Each rank sends one line {@code HELLO rank worldSize host dataPort
 * token}; once every rank has said hello, all get {@code TABLE session host:port ...}. A refused
 * hello gets {@code REFUSED reason} and is logged. Netty keeps many slow connections (pods start
 * minutes apart) cheap and gives one event-loop thread, so the registration state needs no locks.
 */
final class RendezvousServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RendezvousServer.class);
  private static final int MAX_LINE = 1024;

  private final byte[] token;
  private final int worldSize;
  private final Duration timeout;
  private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel[] channels;
  private final RankAddress[] addresses;
  private Channel serverChannel;
  private boolean finished;

  RendezvousServer(String token, int worldSize, Duration timeout) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.worldSize = worldSize;
    this.timeout = timeout;
    this.channels = new Channel[worldSize];
    this.addresses = new RankAddress[worldSize];
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
    finish("REFUSED " + reason);
  }

  private void register(ChannelHandlerContext ctx, String line) {
    String refusal = validate(line);
    if (refusal != null) {
      LOG.warn("refused rendezvous from {}: {}", ctx.channel().remoteAddress(), refusal);
      ctx.writeAndFlush("REFUSED " + refusal + "\n").addListener(ChannelFutureListener.CLOSE);
      return;
    }
    String[] f = line.split(" ");
    int rank = Integer.parseInt(f[1]);
    channels[rank] = ctx.channel();
    addresses[rank] = new RankAddress(rank, f[3], Integer.parseInt(f[4]));
    LOG.info("rendezvous: {} joined", addresses[rank].describe());
    for (Channel channel : channels) {
      if (channel == null) {
        return;
      }
    }
    RankTable table = new RankTable(new SecureRandom().nextLong(), List.of(addresses));
    finish(table.encode());
  }

  /** Returns why the hello is refused, or null when it is accepted. */
  private String validate(String line) {
    if (finished) {
      return "the rendezvous is over";
    }
    String[] f = line.split(" ");
    if (f.length != 6 || !f[0].equals("HELLO")) {
      return "malformed hello";
    }
    if (!MessageDigest.isEqual(token, f[5].getBytes(StandardCharsets.UTF_8))) {
      return "wrong token";
    }
    int rank;
    int world;
    int port;
    try {
      rank = Integer.parseInt(f[1]);
      world = Integer.parseInt(f[2]);
      port = Integer.parseInt(f[4]);
    } catch (NumberFormatException e) {
      return "malformed hello";
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

  private void finish(String answer) {
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

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
      register(ctx, line.trim());
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
