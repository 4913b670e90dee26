package dev.contrastive.trainer.engine;

/**
 * A 2-D convolution (square kernel, no bias, no dilation, one group) and its two gradients,
 * computed directly in Java in double precision: the second computation the gradient self-check
 * holds libtorch's kernels to. Arrays are NCHW, weights (out, in, k, k), as in DJL and PyTorch.
 *
 * @param inChannels channels of the input
 * @param outChannels channels of the output (filters)
 * @param kernel side of the square kernel
 * @param stride step in both directions
 * @param padding zeros added on every side
 */
public record ReferenceConvolution(int inChannels, int outChannels, int kernel, int stride, int padding) {

  /** Output side for an input side. */
  public int outputSize(int inputSize) {
    return (inputSize + 2 * padding - kernel) / stride + 1;
  }

  /** y = conv(x, w) for x of shape (batch, in, size, size). */
  public double[] forward(double[] x, int batch, int size, double[] w) {
    int out = outputSize(size);
    double[] y = new double[batch * outChannels * out * out];
    visit(batch, size, (xi, wi, yi) -> y[yi] += x[xi] * w[wi]);
    return y;
  }

  /** dL/dx for dL/dy {@code dy} (shape of the output). */
  public double[] inputGradient(double[] dy, int batch, int size, double[] w) {
    double[] dx = new double[batch * inChannels * size * size];
    visit(batch, size, (xi, wi, yi) -> dx[xi] += dy[yi] * w[wi]);
    return dx;
  }

  /** dL/dw for input {@code x} and dL/dy {@code dy}. */
  public double[] weightGradient(double[] x, double[] dy, int batch, int size) {
    double[] dw = new double[outChannels * inChannels * kernel * kernel];
    visit(batch, size, (xi, wi, yi) -> dw[wi] += x[xi] * dy[yi]);
    return dw;
  }

  /** One multiply of the convolution: flat indices into input, weights and output. */
  private interface Term {
    void apply(int xi, int wi, int yi);
  }

  /** Every (input, weight, output) triple the convolution multiplies; padding contributes none. */
  private void visit(int batch, int size, Term term) {
    int out = outputSize(size);
    for (int n = 0; n < batch; n++) {
      for (int o = 0; o < outChannels; o++) {
        for (int i = 0; i < inChannels; i++) {
          for (int ky = 0; ky < kernel; ky++) {
            for (int kx = 0; kx < kernel; kx++) {
              int wi = ((o * inChannels + i) * kernel + ky) * kernel + kx;
              for (int oy = 0; oy < out; oy++) {
                int iy = oy * stride - padding + ky;
                if (iy < 0 || iy >= size) {
                  continue;
                }
                for (int ox = 0; ox < out; ox++) {
                  int ix = ox * stride - padding + kx;
                  if (ix < 0 || ix >= size) {
                    continue;
                  }
                  term.apply(((n * inChannels + i) * size + iy) * size + ix, wi,
                      ((n * outChannels + o) * out + oy) * out + ox);
                }
              }
            }
          }
        }
      }
    }
  }
}
