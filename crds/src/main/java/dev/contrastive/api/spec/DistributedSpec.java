package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Rendezvous and collectives between the worker pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DistributedSpec {

  @Default("29500")
  @Min(1024)
  @Max(65535)
  @JsonPropertyDescription("Port rank 0 listens on for the rendezvous (MASTER_PORT).")
  public Integer port = 29500;

  @Default("600")
  @Min(1)
  @Max(86400)
  @JsonPropertyDescription("Seconds to wait for every rank at the first rendezvous.")
  public Integer rendezvousTimeoutSeconds = 600;

  @Default("60")
  @Min(1)
  @Max(3600)
  @JsonPropertyDescription("Seconds a collective waits for a peer before the worker fails.")
  public Integer peerTimeoutSeconds = 60;

  @Default("4")
  @Min(1)
  @Max(1024)
  @JsonPropertyDescription("Gradient bucket size in MiB for the ring all-reduce.")
  public Integer bucketSizeMiB = 4;

  @Default("fp32")
  @Pattern("^(fp32|bf16)$")
  @JsonPropertyDescription("Precision of the gradients on the wire of the ring all-reduce: fp32, or bf16 (half"
      + " the bytes; each hop adds in fp32 and rounds its partial sum to bf16, as NCCL does, and every rank"
      + " ends with the same bf16-rounded mean). Gradients and the optimizer stay fp32 either way.")
  public String allReducePrecision = "fp32";

  @Default("0")
  @Min(0)
  @Max(1000000)
  @JsonPropertyDescription("Replica check: the ranks compare checksums of their trainable parameters (and of"
      + " the buffers kept equal, see broadcastBuffers) and the run fails if any rank differs. It runs after"
      + " the start-up broadcast and at the end of every epoch; a value N > 0 adds a check every N steps.")
  public Integer replicaCheckIntervalSteps = 0;

  @Default("true")
  @JsonPropertyDescription("After every step, overwrite the non-trainable buffers (BatchNorm running statistics)"
      + " of every rank with rank 0's, as PyTorch DDP's broadcast_buffers does. Off, each rank keeps the"
      + " statistics of its own data (only rank 0's are checkpointed) and the replica check leaves them out.")
  public Boolean broadcastBuffers = true;
}
