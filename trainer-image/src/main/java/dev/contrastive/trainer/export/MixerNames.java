package dev.contrastive.trainer.export;

import ai.djl.nn.Block;
import dev.contrastive.trainer.model.MlpMixerEncoder;
import java.util.List;

/**
 * timm's MLP-Mixer names ({@code timm.models.mlp_mixer.MlpMixer}): {@code stem.proj}, {@code
 * blocks.N.norm1}, {@code blocks.N.mlp_tokens.fc1/fc2}, {@code blocks.N.norm2}, {@code
 * blocks.N.mlp_channels.fc1/fc2}, {@code norm}. The classifier {@code head} is not part of the
 * encoder ({@code num_classes=0}).
 */
final class MixerNames {

  private MixerNames() {}

  static void add(StateDict stateDict, MlpMixerEncoder encoder) {
    stateDict.conv("stem.proj.", ChildBlocks.at(ChildBlocks.at(encoder, 0, "patch embedding"), 0, "stem.proj"));
    List<Block> blocks = ChildBlocks.of(ChildBlocks.at(encoder, 1, "mixer blocks"));
    for (int i = 0; i < blocks.size(); i++) {
      String prefix = "blocks." + i + ".";
      List<Block> parts = ChildBlocks.of(blocks.get(i));
      stateDict.layerNorm(prefix + "norm1.", parts.get(0));
      mlp(stateDict, prefix + "mlp_tokens.", parts.get(1));
      stateDict.layerNorm(prefix + "norm2.", parts.get(2));
      mlp(stateDict, prefix + "mlp_channels.", parts.get(3));
    }
    stateDict.layerNorm("norm.", ChildBlocks.at(encoder, 2, "norm"));
  }

  /** timm's {@code Mlp}: fc1, GELU, fc2. */
  static void mlp(StateDict stateDict, String prefix, Block feedForward) {
    List<Block> layers = ChildBlocks.withParameters(feedForward);
    stateDict.linear(prefix + "fc1.", layers.get(0));
    stateDict.linear(prefix + "fc2.", layers.get(1));
  }
}
