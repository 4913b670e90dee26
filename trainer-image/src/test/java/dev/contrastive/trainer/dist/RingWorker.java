package dev.contrastive.trainer.dist;

import dev.contrastive.api.spec.DistributedSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A worker process for the launcher tests. {@code check}: all-reduce rank+1 and verify the sum,
 * then print the layout variables it was given; {@code fail}: rank 1 exits 3 after joining;
 * {@code invalid}: rank 1 exits 2 (invalid input) after joining, the others then lose it;
 * {@code loop}: all-reduce until a peer fails.
 */
public final class RingWorker {

  public static void main(String[] args) {
    DistributedSpec spec = new DistributedSpec();
    // generous: on a loaded machine JVMs start slowly; a dead peer is seen by its closed connection
    spec.rendezvousTimeoutSeconds = 120;
    spec.peerTimeoutSeconds = 30;
    spec.bucketSizeMiB = 1;
    try (ProcessGroup group = ProcessGroup.fromEnvironment(System.getenv(), spec)) {
      ByteBuffer data = ByteBuffer.allocateDirect(4 << 20).order(ByteOrder.nativeOrder());
      switch (args[0]) {
        case "check" -> {
          fill(data, group.rank() + 1f);
          group.allReduce(data, false);
          float expected = group.worldSize() * (group.worldSize() + 1) / 2f;
          for (int i = 0; i < data.capacity(); i += Float.BYTES) {
            if (data.getFloat(i) != expected) {
              System.out.println("wrong sum " + data.getFloat(i) + " at byte " + i);
              System.exit(2);
            }
          }
          System.out.println("sum ok");
          System.out.println("rank " + group.rank() + " local " + System.getenv("LOCAL_RANK")
              + " node " + System.getenv("NODE_RANK") + " of " + System.getenv("NPROC_PER_NODE")
              + " per node, gpu " + System.getenv("CUDA_VISIBLE_DEVICES"));
        }
        case "invalid" -> {
          group.barrier();
          if (group.rank() == 1) {
            System.exit(2);
          }
          group.barrier();
        }
        case "fail" -> {
          group.barrier();
          if (group.rank() == 1) {
            System.exit(3);
          }
          group.barrier();
        }
        case "loop" -> {
          System.out.println("looping");
          while (true) {
            group.allReduce(data, true);
          }
        }
        default -> throw new IllegalArgumentException(args[0]);
      }
    } catch (DistributedException e) {
      System.out.println("error: " + e.getMessage());
      System.exit(1);
    }
  }

  private static void fill(ByteBuffer data, float value) {
    for (int i = 0; i < data.capacity(); i += Float.BYTES) {
      data.putFloat(i, value);
    }
  }
}
