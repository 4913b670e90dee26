package dev.contrastive.trainer.dist;

import java.util.ArrayList;
import java.util.List;

/**
 * What rank 0 answers at the rendezvous: a session id (so a stale worker of an earlier gang cannot
 * join the ring) and every rank's data address, indexed by rank.
 */
record RankTable(long session, List<RankAddress> ranks) {

  String encode() {
    StringBuilder line = new StringBuilder("TABLE ").append(session);
    for (RankAddress address : ranks) {
      line.append(' ').append(address.encode());
    }
    return line.toString();
  }

  /** Parses the fields after {@code TABLE}; throws on anything rank 0 would not have sent. */
  static RankTable decode(String fields, int expectedWorldSize) {
    String[] parts = fields.trim().split(" ");
    if (parts.length != expectedWorldSize + 1) {
      throw new DistributedException(
          "rendezvous answer lists " + (parts.length - 1) + " ranks, expected " + expectedWorldSize);
    }
    List<RankAddress> ranks = new ArrayList<>(expectedWorldSize);
    for (int rank = 0; rank < expectedWorldSize; rank++) {
      String hostPort = parts[rank + 1];
      int colon = hostPort.lastIndexOf(':');
      ranks.add(
          new RankAddress(
              rank, hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))));
    }
    return new RankTable(Long.parseLong(parts[0]), List.copyOf(ranks));
  }
}
