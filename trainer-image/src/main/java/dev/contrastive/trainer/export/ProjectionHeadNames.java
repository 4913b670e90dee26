package dev.contrastive.trainer.export;

import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import dev.contrastive.trainer.model.ProjectionHead;
import java.util.List;

/**
 * The projection head as {@code projection_head = nn.Sequential(nn.Linear(F, H, bias=False),
 * nn.BatchNorm1d(H), nn.ReLU(), nn.Linear(H, P))}: names {@code projection_head.<index>.*}, the
 * indices of that Sequential (the ReLU, index 2, has none).
 */
final class ProjectionHeadNames {

  static final String PREFIX = "projection_head.";

  private ProjectionHeadNames() {}

  static void add(StateDict stateDict, ProjectionHead head) {
    List<Block> layers = ChildBlocks.of(ChildBlocks.at(head, 0, "projection head"));
    for (int i = 0; i < layers.size(); i++) {
      Block layer = layers.get(i);
      if (layer.getParameters().isEmpty()) {
        continue;
      }
      String prefix = PREFIX + i + ".";
      if (layer instanceof Linear) {
        stateDict.linear(prefix, layer);
      } else {
        stateDict.batchNorm(prefix, layer);
      }
    }
  }
}
