package dev.contrastive.api.encoder;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The ResNet depths the trainer builds, as torchvision's {@code resnet18 ... resnet152}: residual
 * units per stage and the kind of unit. The config checks, the schema and the trainer's builder all
 * read this table, so a depth {@code kubectl apply} accepts is one the trainer can build.
 */
public enum ResNetDepth {
  R18(18, false, 2, 2, 2, 2),
  R34(34, false, 3, 4, 6, 3),
  R50(50, true, 3, 4, 6, 3),
  R101(101, true, 3, 4, 23, 3),
  R152(152, true, 3, 8, 36, 3);

  private final int layers;
  private final boolean bottleneck;
  private final int[] unitsPerStage;

  ResNetDepth(int layers, boolean bottleneck, int... unitsPerStage) {
    this.layers = layers;
    this.bottleneck = bottleneck;
    this.unitsPerStage = unitsPerStage;
  }

  /** The depth as written in {@code spec.architecture.depth}, e.g. 50. */
  public int layers() {
    return layers;
  }

  /** Bottleneck units (1x1, 3x3, 1x1 with 4x expansion) rather than two 3x3 convolutions. */
  public boolean bottleneck() {
    return bottleneck;
  }

  /** Residual units in each of the four stages. */
  public int[] unitsPerStage() {
    return unitsPerStage.clone();
  }

  /** The depth with {@code layers} layers, if the trainer builds it. */
  public static Optional<ResNetDepth> of(int layers) {
    return Arrays.stream(values()).filter(depth -> depth.layers == layers).findFirst();
  }

  /** Every buildable depth, e.g. {@code [18, 34, 50, 101, 152]}. */
  public static List<Integer> allowed() {
    return Arrays.stream(values()).map(ResNetDepth::layers).toList();
  }
}
