package dev.contrastive.trainer.dist;

/**
 * The ranks' replicas of the model are no longer identical: one line naming the first tensor that
 * differs and the ranks on each side. Every rank throws the same message.
 */
public class ReplicaDriftException extends DistributedException {

  public ReplicaDriftException(String message) {
    super(message);
  }
}
