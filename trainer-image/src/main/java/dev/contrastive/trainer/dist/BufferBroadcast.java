package dev.contrastive.trainer.dist;

import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;
import dev.contrastive.api.spec.DistributedSpec;

/**
 * PyTorch DDP's {@code broadcast_buffers}: the tensors that are not trained but change in the
 * forward pass (BatchNorm running statistics) follow rank 0's after every step. Without it each
 * rank keeps statistics of its own slice of the data, evaluation differs between ranks, and a
 * checkpoint (rank 0's) holds statistics that no other rank trained with. Only needed when the
 * statistics are not synchronised otherwise.
 */
public final class BufferBroadcast {

  private final GradientAllReducer exchange;

  /** Buffers move through {@code exchange}'s bucket and host transfer, like the parameters. */
  public BufferBroadcast(GradientAllReducer exchange) {
    this.exchange = exchange;
  }

  /**
   * Whether a run broadcasts its buffers after every step. Not when BatchNorm is synchronised: its
   * running statistics move by the same global values on every rank, so they stay identical (the
   * replica check compares them either way).
   */
  public static boolean wanted(DistributedSpec spec, boolean syncBatchNorm) {
    return !syncBatchNorm && (spec.broadcastBuffers == null || spec.broadcastBuffers);
  }

  /** Overwrites this rank's buffers with rank 0's; every rank calls it at the same point. */
  public void broadcast(ParameterList parameters) {
    exchange.broadcastParameters(buffers(parameters));
  }

  /** The initialised tensors that take no gradient. */
  static ParameterList buffers(ParameterList parameters) {
    ParameterList buffers = new ParameterList();
    for (Pair<String, Parameter> entry : parameters) {
      Parameter parameter = entry.getValue();
      if (parameter.isInitialized() && !parameter.requiresGradient()) {
        buffers.add(entry.getKey(), parameter);
      }
    }
    return buffers;
  }
}
