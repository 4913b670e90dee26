package dev.contrastive.operator.testing;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;

/** Runs and nodes as tests need them, built in memory. */
public final class Fixtures {

  public static final String IMAGE = "contrastive-operator/trainer:test";

  private Fixtures() {}

  public static ContrastiveTrainingRun run(String name, String namespace) {
    ContrastiveTrainingRun run = new ContrastiveTrainingRun();
    run.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace)
        .withUid("uid-" + name).withGeneration(1L).build());
    ContrastiveTrainingRunSpec spec = new ContrastiveTrainingRunSpec();
    spec.image = IMAGE;
    run.setSpec(spec);
    run.setStatus(null);
    return run;
  }

  /** A Ready node with {@code gpus} allocatable nvidia.com/gpu. */
  public static NodeBuilder gpuNode(String name, int gpus) {
    return new NodeBuilder()
        .withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name).endMetadata()
        .withNewSpec().endSpec()
        .withNewStatus()
            .addToAllocatable("nvidia.com/gpu", new Quantity(Integer.toString(gpus)))
            .addToAllocatable("cpu", new Quantity("8"))
            .addToCapacity("nvidia.com/gpu", new Quantity(Integer.toString(gpus)))
            .addNewCondition().withType("Ready").withStatus("True").endCondition()
        .endStatus();
  }

  public static Node tainted(Node node, String key, String effect) {
    return new NodeBuilder(node).editSpec().addToTaints(new Taint(effect, key, null, "true")).endSpec().build();
  }
}
