package dev.contrastive.trainer.data;

/**
 * One image as stored: JPEG or PNG bytes.
 *
 * @param source names the image in messages (a file, or a shard and row)
 */
public record EncodedImage(byte[] bytes, String source) {}
