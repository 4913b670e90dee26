package dev.contrastive.trainer.data;

/**
 * Per-channel mean and standard deviation of pixel values scaled to [0, 1], used to normalise
 * inputs. In-memory sets compute theirs from the training split; ImageFolder sets use the
 * ImageNet values, because measuring them would mean decoding every image at start-up.
 */
public record ChannelStats(float[] mean, float[] std) {

  public static final ChannelStats IMAGENET =
      new ChannelStats(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

  public ChannelStats {
    if (mean.length != LabelledImages.CHANNELS || std.length != LabelledImages.CHANNELS) {
      throw new IllegalArgumentException("mean and std need one value per RGB channel");
    }
    mean = mean.clone();
    std = std.clone();
  }

  @Override
  public float[] mean() {
    return mean.clone();
  }

  @Override
  public float[] std() {
    return std.clone();
  }

  /** Measures mean and std over all pixels of {@code images}. */
  public static ChannelStats measure(LabelledImages images) {
    int plane = images.imageSize() * images.imageSize();
    double[] sum = new double[LabelledImages.CHANNELS];
    double[] sumSquares = new double[LabelledImages.CHANNELS];
    byte[] image = new byte[images.bytesPerImage()];
    for (int i = 0; i < images.size(); i++) {
      images.readInto(i, image, 0);
      for (int c = 0; c < LabelledImages.CHANNELS; c++) {
        for (int p = c * plane; p < (c + 1) * plane; p++) {
          double v = (image[p] & 0xFF) / 255.0;
          sum[c] += v;
          sumSquares[c] += v * v;
        }
      }
    }
    double count = (double) images.size() * plane;
    float[] mean = new float[LabelledImages.CHANNELS];
    float[] std = new float[LabelledImages.CHANNELS];
    for (int c = 0; c < LabelledImages.CHANNELS; c++) {
      double m = sum[c] / count;
      mean[c] = (float) m;
      // A constant channel would divide by zero when normalising.
      std[c] = (float) Math.max(Math.sqrt(Math.max(sumSquares[c] / count - m * m, 0)), 1e-3);
    }
    return new ChannelStats(mean, std);
  }
}
