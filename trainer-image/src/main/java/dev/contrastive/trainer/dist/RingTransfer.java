package dev.contrastive.trainer.dist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Moves regions of one buffer around the ring as a {@link RingPlan} says. Receive region k
 * arrives from the previous rank and is either copied in place or added into the buffer; send
 * region k goes to the next rank and, when it is gated, is exactly receive region k-1 (ring) or k
 * (broadcast chain) and leaves as soon as each received byte is processed. Data therefore streams
 * around the ring without a barrier between steps, which is the pipelining the ring algorithms
 * need.
 *
 * <p>The data path is plain NIO rather than Netty: a ring step is one full-duplex stream between
 * fixed neighbours, and a non-blocking loop on one thread reads from the previous rank, reduces
 * straight from a reused direct buffer and writes from the caller's buffer with no copies, no
 * per-message objects and no hand-off between threads. The selector also gives the peer timeout.
 *
 * <p>Every collective starts with a frame header to the next rank (magic, sequence number,
 * operation, length) and checks the previous rank's: ranks that disagree on what they are doing
 * (another build, another config, a missed call) fail at once with one line naming both sides,
 * instead of adding each other's bytes. The data that follows is exactly what the plan says.
 */
final class RingTransfer implements AutoCloseable {

  private final RingLinks links;
  private final Selector selector;
  private final SelectionKey readKey;
  private final SelectionKey writeKey;
  private final long peerTimeoutNanos;
  private final Duration peerTimeout;
  /**
   * Received bytes wait here until they are added. Small enough to stay in the core's cache: with
   * a 1 MiB scratch (a 4 MiB bucket's chunk at 4 ranks) the kernel's copy into it took 2.6x the
   * CPU time it takes with 64 KiB (perf, 4 ranks, 16 MiB), and the add read it back from memory.
   */
  static final int SCRATCH_BYTES = 64 << 10;

  private final ByteBuffer scratch;
  private final FloatBuffer scratchFloats;
  private static final int SEGMENT = 8192;
  private final float[] sums = new float[SEGMENT];
  private final float[] arrivals = new float[SEGMENT];
  private final ShortBuffer scratchShorts;
  private final short[] arrivalBits = new short[SEGMENT];
  private final short[] sumBits = new short[SEGMENT];

  static final int HEADER_BYTES = Integer.BYTES + Long.BYTES + RingProtocol.OPERATION_BYTES + Long.BYTES;
  private final ByteBuffer headerOut = ByteBuffer.allocate(HEADER_BYTES);
  private final ByteBuffer headerIn = ByteBuffer.allocate(HEADER_BYTES);
  /** Collectives run so far; both sides of a link count the same calls. */
  private long sequence;

  RingTransfer(RingLinks links, Duration peerTimeout) {
    this.links = links;
    this.peerTimeout = peerTimeout;
    this.peerTimeoutNanos = peerTimeout.toNanos();
    this.scratch = ByteBuffer.allocateDirect(SCRATCH_BYTES).order(ByteOrder.nativeOrder());
    this.scratchFloats = scratch.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
    this.scratchShorts = scratch.duplicate().order(ByteOrder.nativeOrder()).asShortBuffer();
    try {
      selector = Selector.open();
      readKey = links.fromPrevious.register(selector, 0);
      writeKey = links.toNext.register(selector, 0);
    } catch (IOException e) {
      throw new DistributedException("cannot set up the ring selector: " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code plan} on {@code data} (its offsets are relative to position 0 of {@code data}).
   * Every rank passes the same operation name and a buffer of the same length. Receiving and
   * sending take turns on this thread, each as far as the sockets allow, so the ring streams.
   */
  void run(RingPlan plan, ByteBuffer data, String operation) {
    run(plan, data, null, operation);
  }

  /**
   * Runs a plan whose buffer {@code wire} holds bf16 values (native-order shorts): an arriving
   * partial sum is widened, added to this rank's own fp32 value in {@code local} (same index) and
   * the fp32 sum rounded back to bf16 into {@code wire}, from where the next hop sends it. With
   * {@code local} null the buffer holds fp32 values and sums stay fp32.
   */
  void run(RingPlan plan, ByteBuffer wire, FloatBuffer local, String operation) {
    exchangeHeaders(operation, wire.remaining());
    Pass pass = new Pass(plan, wire, local, operation);
    long lastProgress = System.nanoTime();
    while (pass.skipEmptyRegions()) {
      boolean received = pass.receiveSome();
      boolean sent = pass.sendSome();
      if (received || sent) {
        lastProgress = System.nanoTime();
      } else {
        awaitPeers(lastProgress, pass.receiving(), pass.sendWaiting(), operation);
      }
    }
  }

  /** One execution of a plan: where its receiving and its sending stand. */
  private final class Pass {
    private final List<RingPlan.Send> sends;
    private final List<RingPlan.Receive> receives;
    private final float scale;
    private final String operation;
    private final ByteBuffer readView;
    private final ByteBuffer writeView;
    private final FloatBuffer dataFloats;
    private final ShortBuffer dataShorts;
    private final FloatBuffer local;
    /** The receive region in progress, its bytes read so far and how many of them are final. */
    private int receive;
    private int received;
    private int processed;
    /** The send region in progress and its bytes written so far. */
    private int send;
    private int sent;

    Pass(RingPlan plan, ByteBuffer data, FloatBuffer local, String operation) {
      this.sends = plan.sends();
      this.receives = plan.receives();
      this.scale = plan.scale();
      this.operation = operation;
      this.readView = data.duplicate();
      this.writeView = data.duplicate();
      this.dataFloats = data.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
      this.dataShorts = data.duplicate().order(ByteOrder.nativeOrder()).asShortBuffer();
      this.local = local;
    }

    /** Moves past empty regions; false once every region is received and sent. */
    boolean skipEmptyRegions() {
      while (send < sends.size() && sends.get(send).length() == 0) {
        send++;
      }
      while (receiving() && receives.get(receive).length() == 0) {
        receive++;
      }
      return send < sends.size() || receiving();
    }

    boolean receiving() {
      return receive < receives.size();
    }

    /** Whether bytes are ready to send that the next rank has not taken yet. */
    boolean sendWaiting() {
      return send < sends.size() && sent < ready();
    }

    /** Reads what the previous rank has sent into the current receive region; true on progress. */
    boolean receiveSome() {
      if (!receiving()) {
        return false;
      }
      RingPlan.Receive region = receives.get(receive);
      ByteBuffer target;
      if (region.arrival() == RingPlan.Arrival.COPY) {
        target = readView.limit(region.offset() + region.length()).position(region.offset() + received);
      } else {
        // Scratch holds only the bytes not yet added (under one float), so it can be far
        // smaller than the region and one pass can stream a whole tensor.
        int limit = Math.min(scratch.capacity(), region.length() - processed);
        target = scratch.limit(limit).position(received - processed);
      }
      int n = read(target, operation);
      if (n <= 0) {
        return false;
      }
      received += n;
      processed = local == null
          ? process(region, received, processed, dataFloats, scale)
          : processBf16(region, received, processed, dataShorts, local, scale);
      if (processed == region.length()) {
        receive++;
        received = 0;
        processed = 0;
      }
      return true;
    }

    /** Writes the ready part of the current send region to the next rank; true on progress. */
    boolean sendSome() {
      if (send >= sends.size()) {
        return false;
      }
      int ready = ready();
      if (sent >= ready) {
        return false;
      }
      RingPlan.Send region = sends.get(send);
      writeView.limit(region.offset() + ready).position(region.offset() + sent);
      int n = write(writeView, operation);
      if (n <= 0) {
        return false;
      }
      sent += n;
      if (sent == region.length()) {
        send++;
        sent = 0;
      }
      return true;
    }

    /** Bytes of the current send region that may leave now. */
    private int ready() {
      RingPlan.Send region = sends.get(send);
      int gate = region.gate();
      if (gate < 0 || gate < receive) {
        return region.length();
      }
      return gate == receive ? processed : 0;
    }
  }

  /** Sends this rank's frame header to the next rank and checks the previous rank's. */
  private void exchangeHeaders(String operation, long length) {
    long number = ++sequence;
    headerOut.clear().putInt(RingProtocol.MAGIC).putLong(number).put(operationBytes(operation)).putLong(length)
        .flip();
    headerIn.clear();
    long lastProgress = System.nanoTime();
    while (headerOut.hasRemaining() || headerIn.hasRemaining()) {
      boolean progress = headerOut.hasRemaining() && write(headerOut, operation) > 0;
      progress |= headerIn.hasRemaining() && read(headerIn, operation) > 0;
      if (headerIn.position() >= Integer.BYTES && headerIn.getInt(0) != RingProtocol.MAGIC) {
        break; // garbage: no need to wait for the rest of it
      }
      if (progress) {
        lastProgress = System.nanoTime();
      } else {
        awaitPeers(lastProgress, headerIn.hasRemaining(), headerOut.hasRemaining(), operation);
      }
    }
    String mismatch = mismatch(operation, number, length);
    if (mismatch != null) {
      throw new DistributedException(mismatch);
    }
  }

  /** Why the previous rank's header does not fit this rank's collective, or null when it does. */
  private String mismatch(String operation, long number, long length) {
    if (headerIn.getInt(0) != RingProtocol.MAGIC) {
      return links.previous.describe() + " sent " + String.format("0x%08x", headerIn.getInt(0))
          + " where a ring frame header belongs, at the start of " + operation + " #" + number
          + ": it speaks another protocol, or the ranks' streams are out of step";
    }
    long theirNumber = headerIn.getLong(Integer.BYTES);
    byte[] name = new byte[RingProtocol.OPERATION_BYTES];
    headerIn.get(Integer.BYTES + Long.BYTES, name);
    String theirOperation = new String(name, StandardCharsets.US_ASCII).trim();
    long theirLength = headerIn.getLong(Integer.BYTES + Long.BYTES + RingProtocol.OPERATION_BYTES);
    String ours = operationName(operation);
    if (theirNumber == number && theirOperation.equals(ours) && theirLength == length) {
      return null;
    }
    return links.previous.describe() + " runs " + describe(theirOperation, theirNumber, theirLength)
        + " while this rank runs " + describe(ours, number, length)
        + ": every rank must call the same collectives in the same order (same trainer image and config)";
  }

  private static String describe(String operation, long number, long length) {
    return operation + " #" + number + " of " + length + " bytes";
  }

  /** The operation as the header carries it: printable ASCII, at most 16 bytes. */
  private static String operationName(String operation) {
    String ascii = operation.replaceAll("[^\\x21-\\x7e]", "-");
    return ascii.length() > RingProtocol.OPERATION_BYTES ? ascii.substring(0, RingProtocol.OPERATION_BYTES) : ascii;
  }

  private static byte[] operationBytes(String operation) {
    byte[] padded = new byte[RingProtocol.OPERATION_BYTES];
    java.util.Arrays.fill(padded, (byte) ' ');
    byte[] name = operationName(operation).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(name, 0, padded, 0, name.length);
    return padded;
  }

  /** Applies newly received bytes; returns how many bytes of the region are now final. */
  private int process(RingPlan.Receive region, int received, int processed, FloatBuffer dataFloats, float scale) {
    if (region.arrival() == RingPlan.Arrival.COPY) {
      return received;
    }
    int buffered = received - processed;
    int whole = buffered & ~(Float.BYTES - 1);
    int base = (region.offset() + processed) / Float.BYTES;
    boolean scaled = region.arrival() == RingPlan.Arrival.ADD_AND_SCALE;
    // Bulk copies into small reused arrays let the JIT vectorise the add; element-wise access to
    // direct buffers does not vectorise and was the bottleneck of the reduce-scatter.
    for (int i = 0; i < whole / Float.BYTES; i += SEGMENT) {
      int n = Math.min(SEGMENT, whole / Float.BYTES - i);
      dataFloats.get(base + i, sums, 0, n);
      scratchFloats.get(i, arrivals, 0, n);
      if (scaled) {
        float s = scale;
        for (int k = 0; k < n; k++) {
          sums[k] = (sums[k] + arrivals[k]) * s;
        }
      } else {
        for (int k = 0; k < n; k++) {
          sums[k] += arrivals[k];
        }
      }
      dataFloats.put(base + i, sums, 0, n);
    }
    for (int k = whole; k < buffered; k++) {
      scratch.put(k - whole, scratch.get(k)); // a float split across reads waits for its rest
    }
    return processed + whole;
  }

  /** As {@link #process} for bf16 on the wire: adds in fp32 to the local value, rounds to bf16. */
  private int processBf16(
      RingPlan.Receive region, int received, int processed, ShortBuffer wire, FloatBuffer local, float scale) {
    if (region.arrival() == RingPlan.Arrival.COPY) {
      return received;
    }
    int buffered = received - processed;
    int whole = buffered & ~(Short.BYTES - 1);
    int base = (region.offset() + processed) / Short.BYTES;
    boolean scaled = region.arrival() == RingPlan.Arrival.ADD_AND_SCALE;
    float s = scaled ? scale : 1f;
    for (int i = 0; i < whole / Short.BYTES; i += SEGMENT) {
      int n = Math.min(SEGMENT, whole / Short.BYTES - i);
      local.get(base + i, sums, 0, n);
      scratchShorts.get(i, arrivalBits, 0, n);
      if (scaled) {
        for (int k = 0; k < n; k++) {
          sumBits[k] = Bf16.round((sums[k] + Bf16.widen(arrivalBits[k])) * s);
        }
      } else {
        for (int k = 0; k < n; k++) {
          sumBits[k] = Bf16.round(sums[k] + Bf16.widen(arrivalBits[k]));
        }
      }
      wire.put(base + i, sumBits, 0, n);
    }
    if (whole < buffered) {
      scratch.put(0, scratch.get(whole)); // half a bf16 waits for its other byte
    }
    return processed + whole;
  }

  private int read(ByteBuffer target, String operation) {
    try {
      int n = links.fromPrevious.read(target);
      if (n < 0) {
        throw new DistributedException(
            links.previous.describe() + " closed the connection during " + operation);
      }
      return n;
    } catch (IOException e) {
      throw new DistributedException(
          "lost the connection to " + links.previous.describe() + " during " + operation + ": "
              + e.getMessage(), e);
    }
  }

  private int write(ByteBuffer source, String operation) {
    try {
      return links.toNext.write(source);
    } catch (IOException e) {
      throw new DistributedException(
          "lost the connection to " + links.next.describe() + " during " + operation + ": "
              + e.getMessage(), e);
    }
  }

  private void awaitPeers(
      long lastProgress, boolean receiveWaiting, boolean sendWaiting, String operation) {
    long idle = System.nanoTime() - lastProgress;
    if (idle >= peerTimeoutNanos) {
      if (sendWaiting) {
        throw new DistributedException(
            links.next.describe() + " stopped reading for " + DistributedException.describe(peerTimeout)
                + " during " + operation);
      }
      throw new DistributedException(
          links.previous.describe() + " sent nothing for " + DistributedException.describe(peerTimeout)
              + " during " + operation + " (it, or a rank before it in the ring, stalled)");
    }
    readKey.interestOps(receiveWaiting ? SelectionKey.OP_READ : 0);
    writeKey.interestOps(sendWaiting ? SelectionKey.OP_WRITE : 0);
    try {
      selector.select(Math.max(1, (peerTimeoutNanos - idle) / 1_000_000));
      selector.selectedKeys().clear();
    } catch (IOException e) {
      throw new DistributedException("ring selector failed during " + operation, e);
    }
  }

  @Override
  public void close() {
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing; nothing left to report to
    }
  }
}
