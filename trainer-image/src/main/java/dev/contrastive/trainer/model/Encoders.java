package dev.contrastive.trainer.model;

import dev.contrastive.api.encoder.EncoderFamily;
import dev.contrastive.api.encoder.ResNetStem;
import dev.contrastive.api.spec.ArchitectureSpec;
import java.util.Locale;

/**
 * Builds the encoder a resolved {@link ArchitectureSpec} describes: one builder per {@link
 * EncoderFamily}, the declaration the CRD schema and the config checks are made from.
 */
public final class Encoders {

  private Encoders() {}

  /**
   * Builds the encoder for square images of {@code imageSize} pixels.
   *
   * @param architecture the architecture after presets and overrides are applied; the fields its
   *     family needs must be set
   * @param imageSize image side in pixels
   * @return an uninitialised encoder; initialise it with input shape (B, 3, imageSize, imageSize)
   * @throws IllegalArgumentException naming the field, when a needed field is missing or the
   *     combination cannot be built (patch size not dividing the image, width not divisible by
   *     heads, unknown depth)
   */
  public static Encoder create(ArchitectureSpec architecture, int imageSize) {
    String family = required(architecture.family, "family");
    // a switch without default: a family declared in api.encoder without a builder does not compile
    return switch (EncoderFamily.of(family).orElseThrow(() -> new IllegalArgumentException(
        "architecture.family=" + family + " is unknown: use one of " + EncoderFamily.keys()))) {
      case RESNET -> new ResNetEncoder(
          required(architecture.depth, "depth"),
          required(architecture.width, "width"),
          stem(required(architecture.stem, "stem")));
      case MIXER -> new MlpMixerEncoder(
          imageSize,
          patchSize(architecture, imageSize),
          required(architecture.width, "width"),
          required(architecture.depth, "depth"),
          required(architecture.mlpRatio, "mlpRatio"));
      case PARALLEL_VIT -> parallelVit(architecture, imageSize);
    };
  }

  private static Encoder parallelVit(ArchitectureSpec architecture, int imageSize) {
    int width = required(architecture.width, "width");
    int heads = required(architecture.heads, "heads");
    if (width % heads != 0) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "architecture.width=%d is not divisible by architecture.heads=%d:"
                  + " each head gets width/heads channels",
              width,
              heads));
    }
    return new ParallelVitEncoder(
        imageSize,
        patchSize(architecture, imageSize),
        width,
        required(architecture.depth, "depth"),
        heads,
        required(architecture.mlpRatio, "mlpRatio"),
        required(architecture.qkNorm, "qkNorm"));
  }

  private static int patchSize(ArchitectureSpec architecture, int imageSize) {
    int patchSize = required(architecture.patchSize, "patchSize");
    if (imageSize % patchSize != 0) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "architecture.patchSize=%d does not divide the image size %d:"
                  + " use a patch size that divides it (4 for 32 px, 16 for 224 px)",
              patchSize,
              imageSize));
    }
    return patchSize;
  }

  private static ResNetStem stem(String stem) {
    return ResNetStem.of(stem).orElseThrow(() -> new IllegalArgumentException(
        "architecture.stem=" + stem + " is unknown: use one of " + ResNetStem.keys()));
  }

  private static <T> T required(T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException(
          "architecture." + field + " is not set: choose a preset that sets it or set it yourself");
    }
    return value;
  }
}
