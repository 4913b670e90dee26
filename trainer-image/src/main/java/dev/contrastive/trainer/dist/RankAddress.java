package dev.contrastive.trainer.dist;

/** Where one rank accepts the ring connection from its predecessor. */
public record RankAddress(int rank, String host, int dataPort) {

  /** How error messages name a peer, e.g. {@code rank 1 (10.0.0.5:29501)}. */
  public String describe() {
    return "rank " + rank + " (" + host + ":" + dataPort + ")";
  }

  String encode() {
    return host + ":" + dataPort;
  }
}
