package dev.contrastive.trainer.export;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.contrastive.trainer.model.ParallelVitEncoder;
import java.util.List;

/**
 * The parallel ViT in timm's ViT vocabulary, for the module written out in docs/export.md: {@code
 * patch_embed.proj}, {@code pos_embed} (1, T, E), {@code blocks.N.norm} (one LayerNorm shared by
 * both branches), {@code blocks.N.attn.qkv}, {@code blocks.N.attn.q_norm/k_norm} (with QK-norm),
 * {@code blocks.N.attn.proj}, {@code blocks.N.mlp.fc1/fc2}, {@code norm}.
 */
final class ParallelVitNames {

  private ParallelVitNames() {}

  static void add(StateDict stateDict, ParallelVitEncoder encoder) {
    stateDict.conv("patch_embed.proj.", ChildBlocks.at(ChildBlocks.at(encoder, 0, "patch embedding"), 0, "proj"));
    Parameter position = encoder.getDirectParameters().get("positionEmbedding");
    long[] tokensByWidth = position.getArray().getShape().getShape();
    stateDict.parameter("pos_embed", position, 1, tokensByWidth[0], tokensByWidth[1]);
    List<Block> blocks = ChildBlocks.of(ChildBlocks.at(encoder, 1, "blocks"));
    for (int i = 0; i < blocks.size(); i++) {
      String prefix = "blocks." + i + ".";
      List<Block> parts = ChildBlocks.of(blocks.get(i));
      stateDict.layerNorm(prefix + "norm.", parts.get(0));
      List<Block> attention = ChildBlocks.of(parts.get(1));
      stateDict.linear(prefix + "attn.qkv.", attention.get(0));
      if (attention.size() == 4) {
        stateDict.layerNorm(prefix + "attn.q_norm.", attention.get(1));
        stateDict.layerNorm(prefix + "attn.k_norm.", attention.get(2));
      }
      stateDict.linear(prefix + "attn.proj.", attention.get(attention.size() - 1));
      MixerNames.mlp(stateDict, prefix + "mlp.", parts.get(2));
    }
    stateDict.layerNorm("norm.", ChildBlocks.at(encoder, 2, "norm"));
  }
}
