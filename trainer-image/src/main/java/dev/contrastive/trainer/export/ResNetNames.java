package dev.contrastive.trainer.export;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import dev.contrastive.trainer.model.ResNetEncoder;
import java.util.List;

/**
 * torchvision's ResNet names ({@code torchvision.models.resnet}): {@code conv1}, {@code bn1},
 * {@code layer1..4.N.conv1/bn1/conv2/bn2[/conv3/bn3]} and {@code layerS.0.downsample.0/1} for a
 * projected shortcut. The classifier {@code fc} is not part of the encoder.
 */
final class ResNetNames {

  private ResNetNames() {}

  static void add(StateDict stateDict, ResNetEncoder encoder) {
    List<Block> body = ChildBlocks.of(ChildBlocks.at(encoder, 0, "ResNet body"));
    List<Block> stem = ChildBlocks.withParameters(body.get(0));
    stateDict.conv("conv1.", stem.get(0));
    stateDict.batchNorm("bn1.", stem.get(1));
    int stage = 0;
    int unitInStage = 0;
    long stageChannels = -1;
    for (Block unit : body.subList(1, body.size())) {
      if (unit.getParameters().isEmpty()) {
        continue; // the global average pool
      }
      List<Block> branch = ChildBlocks.withParameters(ChildBlocks.at(unit, 0, "residual branch"));
      long channels = outputChannels(branch.get(branch.size() - 1));
      // torchvision's stages double the width: a new width is a new layerN
      if (channels != stageChannels) {
        stage++;
        unitInStage = 0;
        stageChannels = channels;
      }
      String prefix = "layer" + stage + "." + unitInStage + ".";
      for (int i = 0; i < branch.size(); i += 2) {
        stateDict.conv(prefix + "conv" + (i / 2 + 1) + ".", branch.get(i));
        stateDict.batchNorm(prefix + "bn" + (i / 2 + 1) + ".", branch.get(i + 1));
      }
      Block shortcut = ChildBlocks.at(unit, 1, prefix + "shortcut");
      if (shortcut instanceof SequentialBlock) {
        List<Block> projection = ChildBlocks.withParameters(shortcut);
        stateDict.conv(prefix + "downsample.0.", projection.get(0));
        stateDict.batchNorm(prefix + "downsample.1.", projection.get(1));
      }
      unitInStage++;
    }
  }

  private static long outputChannels(Block batchNorm) {
    return batchNorm.getDirectParameters().get("gamma").getArray().getShape().get(0);
  }
}
