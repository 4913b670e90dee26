package dev.contrastive.trainer.augment;

/** A crop of an image, in its pixels. */
public record CropBox(int top, int left, int height, int width) {}
