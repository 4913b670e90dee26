package dev.contrastive.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GradientSelfCheckTest {

  private static final double[] EXPECTED = {0.5, -1.25, 2.0, 0.0};

  @Test
  void passesWithTheTrainersNarrowestConvolutions() {
    GradientSelfCheck.Result result = GradientSelfCheck.run();

    assertThat(result.problem()).isNull();
    assertThat(result.passed()).isTrue();
  }

  @Test
  void catchesAWrongInputGradientInALaterRun() {
    GradientSelfCheck.Result result = GradientSelfCheck.run(GradientSelfCheck.CHANNELS, 4, (run, gradient) -> {
      if (run == 2) {
        gradient[100] += 0.05f; // as the bad kernels do: one run of several goes wrong
      }
      return gradient;
    });

    assertThat(result.passed()).isFalse();
    assertThat(result.problem()).startsWith("input gradient (16 channels, run 3 of 4): value 100 is ");
  }

  @Test
  void catchesNaNInTheInputGradient() {
    GradientSelfCheck.Result result = GradientSelfCheck.run(GradientSelfCheck.CHANNELS, 2, (run, gradient) -> {
      gradient[7] = Float.NaN;
      return gradient;
    });

    assertThat(result.problem()).isEqualTo("input gradient (16 channels, run 1 of 2): NaN or infinite in 1 of 2048"
        + " values");
  }

  @Test
  void catchesAWrongInputGradientAtTheWiderKernels() {
    GradientSelfCheck.Result result = GradientSelfCheck.run(GradientSelfCheck.WIDER_CHANNELS, 2, (run, gradient) -> {
      gradient[gradient.length - 1] += 0.05f; // as at stride 2 from 48 channels: the last block is off
      return gradient;
    });

    assertThat(result.problem()).startsWith("input gradient (32 channels, run 1 of 2): value 4095 is ");
  }

  @Test
  void acceptsFloatRounding() {
    float[] rounded = {0.5f, -1.25f + 1e-6f, 2.0f, 1e-6f};

    assertThat(GradientSelfCheck.compare("input gradient", EXPECTED, rounded)).isNull();
  }

  @Test
  void catchesOneWrongValue() {
    float[] perturbed = {0.5f, -1.25f, 2.0f, 0.01f};

    assertThat(GradientSelfCheck.compare("input gradient (run 2 of 4)", EXPECTED, perturbed))
        .isEqualTo("input gradient (run 2 of 4): value 3 is 0.0100000, expected 0.00000");
  }

  @Test
  void catchesNaN() {
    float[] withNaN = {0.5f, Float.NaN, 2.0f, 0.0f};

    assertThat(GradientSelfCheck.compare("input gradient", EXPECTED, withNaN))
        .isEqualTo("input gradient: NaN or infinite in 1 of 4 values");
  }

  @Test
  void failureNamesTheCapOnAvx512AndAnotherRemedyWithoutIt() {
    GradientSelfCheck.Result failed = new GradientSelfCheck.Result("input gradient (run 2 of 4): NaN or infinite"
        + " in 12 of 2048 values", 120);

    String onAvx512 = GradientSelfCheck.failureMessage(failed,
        new CpuIsa("AMD EPYC", "AVX-512+BF16", null));
    String capped = GradientSelfCheck.failureMessage(failed,
        new CpuIsa("AMD EPYC", "AVX-512+BF16", "AVX2"));

    assertThat(onAvx512).isEqualTo("gradient self-check failed on AMD EPYC (AVX-512+BF16, oneDNN AVX-512+BF16):"
        + " input gradient (run 2 of 4): NaN or infinite in 12 of 2048 values; set ONEDNN_MAX_CPU_ISA=AVX2 in the"
        + " trainer's environment (libtorch's AVX-512 convolution kernels are at fault; docs/cpu.md)");
    assertThat(onAvx512.lines()).hasSize(1);
    assertThat(capped).contains("oneDNN AVX2").doesNotContain("set ONEDNN_MAX_CPU_ISA");
  }
}
