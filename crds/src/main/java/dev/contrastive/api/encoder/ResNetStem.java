package dev.contrastive.api.encoder;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** How a ResNet first reduces the image ({@code spec.architecture.stem}). */
public enum ResNetStem {
  /** 3x3 convolution, stride 1, no max-pool: keeps the resolution of 32 px images. */
  CIFAR("cifar"),
  /** 7x7 convolution, stride 2, then 3x3 max-pool, stride 2: for 224 px images. */
  IMAGENET("imagenet");

  private final String key;

  ResNetStem(String key) {
    this.key = key;
  }

  /** The stem as written in {@code spec.architecture.stem}. */
  public String key() {
    return key;
  }

  /** The stem written {@code key}, if there is one. */
  public static Optional<ResNetStem> of(String key) {
    return Arrays.stream(values()).filter(stem -> stem.key.equals(key)).findFirst();
  }

  /** Every stem key: {@code [cifar, imagenet]}. */
  public static List<String> keys() {
    return Arrays.stream(values()).map(ResNetStem::key).toList();
  }
}
