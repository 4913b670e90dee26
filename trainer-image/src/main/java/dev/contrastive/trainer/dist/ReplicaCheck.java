package dev.contrastive.trainer.dist;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;
import dev.contrastive.trainer.device.HostTransfer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.CRC32C;

/**
 * The replica tripwire: data parallelism is only correct while every rank holds the same model, and
 * an exchange that silently leaves a rank's tensors unchanged (a zero-copy "view" that is a copy on
 * a GPU, a skipped update) trains several diverging models with no error. Every rank checksums each
 * tensor that must be equal ({@link TensorChecksum}), the checksums are all-gathered, and any
 * difference fails the run on every rank with one line naming the first tensor and the ranks on
 * each side. Tensors are read through the run's {@link HostTransfer}, so the check sees what the
 * device holds.
 */
public final class ReplicaCheck {

  private static final int CHUNK_BYTES = 1 << 20;

  private final ProcessGroup group;
  private final HostTransfer transfer;
  private final boolean buffers;
  private ByteBuffer chunk;

  /**
   * @param group the gang
   * @param transfer how tensors reach the host
   * @param buffers whether non-trainable tensors (BatchNorm running statistics) are kept equal
   *     across ranks and so are compared too
   */
  public ReplicaCheck(ProcessGroup group, HostTransfer transfer, boolean buffers) {
    this.group = group;
    this.transfer = transfer;
    this.buffers = buffers;
  }

  /**
   * Compares this rank's tensors with every other rank's; call on every rank at the same point.
   *
   * @param when how the failure message names the moment, e.g. "after step 120"
   * @return how many tensors were found identical on all ranks
   * @throws ReplicaDriftException on every rank when any rank differs
   */
  public Compared verify(ParameterList parameters, String when) {
    if (group.worldSize() == 1) {
      return new Compared(0, 0);
    }
    List<String> names = new ArrayList<>();
    List<TensorChecksum> mine = checksums(parameters, names);
    double[][] all = group.allGather(encode(names, mine));
    String failure = firstDifference(names, all);
    if (failure != null) {
      throw new ReplicaDriftException("replica check " + when + " failed: " + failure
          + "; the ranks no longer train the same model");
    }
    int trainable = (int) parameters.values().stream()
        .filter(p -> p.isInitialized() && p.requiresGradient()).count();
    return new Compared(trainable, names.size() - trainable);
  }

  /** What a check compared: trainable parameters and buffers (BatchNorm statistics). */
  public record Compared(int parameters, int buffers) {

    public int tensors() {
      return parameters + buffers;
    }

    @Override
    public String toString() {
      return parameters + " parameters" + (buffers > 0 ? " and " + buffers + " buffers" : "");
    }
  }

  private List<TensorChecksum> checksums(ParameterList parameters, List<String> names) {
    if (chunk == null) {
      chunk = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.nativeOrder());
    }
    List<TensorChecksum> checksums = new ArrayList<>();
    for (Pair<String, Parameter> entry : parameters) {
      Parameter parameter = entry.getValue();
      if (!parameter.isInitialized() || !(parameter.requiresGradient() || buffers)) {
        continue;
      }
      try (NDManager scope = parameter.getArray().getManager().newSubManager()) {
        checksums.add(TensorChecksum.of(transfer.window(entry.getKey(), parameter.getArray(), scope), chunk));
      }
      names.add(entry.getKey());
    }
    return checksums;
  }

  /** [tensor count, CRC of the names, then each tensor's checksum]. */
  private static double[] encode(List<String> names, List<TensorChecksum> checksums) {
    double[] values = new double[2 + checksums.size() * TensorChecksum.DOUBLES];
    values[0] = checksums.size();
    values[1] = namesCrc(names);
    for (int t = 0; t < checksums.size(); t++) {
      checksums.get(t).writeTo(values, 2 + t * TensorChecksum.DOUBLES);
    }
    return values;
  }

  private static long namesCrc(List<String> names) {
    CRC32C crc = new CRC32C();
    for (String name : names) {
      crc.update(name.getBytes(StandardCharsets.UTF_8));
      crc.update(0);
    }
    return crc.getValue();
  }

  /** The failure message for the first tensor that differs between ranks, or null. */
  static String firstDifference(List<String> names, double[][] all) {
    for (int r = 0; r < all.length; r++) {
      if (all[r].length != all[0].length || all[r][0] != all[0][0]) {
        // allGather needs equal lengths, so a count that differs shows up in the first value
        return "rank " + r + " compares " + (long) all[r][0] + " tensors, rank 0 " + (long) all[0][0];
      }
    }
    Map<Double, List<Integer>> byNames = group(all, 1);
    if (byNames.size() > 1) {
      return "the ranks name their tensors differently (" + sides(byNames) + ")";
    }
    for (int t = 0; t < names.size(); t++) {
      int at = 2 + t * TensorChecksum.DOUBLES;
      Map<TensorChecksum, List<Integer>> sides = new LinkedHashMap<>();
      for (int r = 0; r < all.length; r++) {
        TensorChecksum checksum = TensorChecksum.readFrom(all[r], at);
        TensorChecksum key = sides.keySet().stream().filter(checksum::same).findFirst().orElse(checksum);
        sides.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
      }
      if (sides.size() > 1) {
        return "tensor '" + names.get(t) + "' differs: " + describe(sides);
      }
    }
    return null;
  }

  private static Map<Double, List<Integer>> group(double[][] all, int index) {
    Map<Double, List<Integer>> groups = new LinkedHashMap<>();
    for (int r = 0; r < all.length; r++) {
      groups.computeIfAbsent(all[r][index], k -> new ArrayList<>()).add(r);
    }
    return groups;
  }

  /** Smallest group first: the ranks that went astray, then the ones that agree. */
  private static String describe(Map<TensorChecksum, List<Integer>> sides) {
    return sides.entrySet().stream()
        .sorted((a, b) -> Integer.compare(a.getValue().size(), b.getValue().size()))
        .map(e -> ranks(e.getValue()) + String.format(Locale.ROOT, " (sum %.9g, sum of squares %.9g)",
            e.getKey().sum(), e.getKey().sumOfSquares()))
        .collect(Collectors.joining(" vs "));
  }

  private static String sides(Map<Double, List<Integer>> groups) {
    return groups.values().stream().map(ReplicaCheck::ranks).collect(Collectors.joining(" vs "));
  }

  private static String ranks(List<Integer> ranks) {
    return (ranks.size() == 1 ? "rank " : "ranks ")
        + ranks.stream().map(String::valueOf).collect(Collectors.joining(", "));
  }
}
