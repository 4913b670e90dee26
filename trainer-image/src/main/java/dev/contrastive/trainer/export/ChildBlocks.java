package dev.contrastive.trainer.export;

import ai.djl.nn.Block;
import java.util.List;

/** The child blocks of a DJL block in the order they were added (which is forward order here). */
final class ChildBlocks {

  private ChildBlocks() {}

  /** All children, parameter-free ones (activations, pooling, identity) included. */
  static List<Block> of(Block block) {
    return block.getChildren().values();
  }

  /** The children that hold parameters: the layers a PyTorch state_dict lists. */
  static List<Block> withParameters(Block block) {
    return of(block).stream().filter(child -> !child.getParameters().isEmpty()).toList();
  }

  /** The {@code index}-th child, failing with the layer's place in the model when it is missing. */
  static Block at(Block block, int index, String where) {
    List<Block> children = of(block);
    if (index >= children.size()) {
      throw new IllegalStateException(where + ": the model has " + children.size() + " layers here, expected more");
    }
    return children.get(index);
  }
}
