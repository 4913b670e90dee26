package dev.contrastive.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpuIsaTest {

  private static String cpuinfo(String model, String flags) {
    return "processor\t: 0\nvendor_id\t: x\nmodel name\t: " + model + "\nflags\t\t: fpu sse sse2 " + flags
        + "\n\nprocessor\t: 1\nmodel name\t: " + model + "\nflags\t\t: fpu\n";
  }

  @Test
  void amdEpycWithAvx512Bf16() {
    CpuIsa isa = CpuIsa.parse(cpuinfo("AMD EPYC", "avx avx2 avx512f avx512bw avx512vl avx512_bf16"), null);

    assertThat(isa.cpu()).isEqualTo("AVX-512+BF16");
    assertThat(isa.usesAvx512()).isTrue();
    assertThat(isa.shortName()).isEqualTo("AVX-512+BF16");
    assertThat(isa.describe()).isEqualTo("cpu: AMD EPYC, AVX-512+BF16 (oneDNN: AVX-512+BF16)");
  }

  @Test
  void sapphireRapidsHasAmx() {
    CpuIsa isa = CpuIsa.parse(
        cpuinfo("Intel(R) Xeon(R) Platinum 8480+", "avx2 avx512f avx512_bf16 amx_bf16 amx_tile amx_int8"), null);

    assertThat(isa.cpu()).isEqualTo("AVX-512+AMX");
  }

  @Test
  void avx2OnlyCpuIsNotAvx512() {
    CpuIsa isa = CpuIsa.parse(cpuinfo("Intel(R) Core(TM) i7-4770", "avx avx2 fma"), null);

    assertThat(isa.cpu()).isEqualTo("AVX2");
    assertThat(isa.usesAvx512()).isFalse();
  }

  @Test
  void capBelowTheCpuIsWhatOneDnnUses() {
    CpuIsa isa = CpuIsa.parse(cpuinfo("AMD EPYC", "avx2 avx512f avx512_bf16"), "AVX2");

    assertThat(isa.engine()).isEqualTo("AVX2");
    assertThat(isa.usesAvx512()).isFalse();
    assertThat(isa.shortName()).isEqualTo("AVX2(capped)");
    assertThat(isa.describe())
        .isEqualTo("cpu: AMD EPYC, AVX-512+BF16 (oneDNN: AVX2, capped by ONEDNN_MAX_CPU_ISA=AVX2)");
  }

  @Test
  void capAboveTheCpuChangesNothing() {
    CpuIsa isa = CpuIsa.parse(cpuinfo("Intel(R) Core(TM) i7-4770", "avx2"), "AVX512_CORE");

    assertThat(isa.engine()).isEqualTo("AVX2");
    assertThat(isa.shortName()).isEqualTo("AVX2");
  }

  @Test
  void avx512CapOnAnAmxCpuKeepsAvx512() {
    CpuIsa isa = CpuIsa.parse(cpuinfo("Xeon", "avx2 avx512f avx512_bf16 amx_tile"), "avx512_core_bf16");

    assertThat(isa.engine()).isEqualTo("AVX-512+BF16");
    assertThat(isa.usesAvx512()).isTrue();
  }

  @Test
  void unreadableCpuinfoSaysUnknown() {
    CpuIsa isa = CpuIsa.parse("", null);

    assertThat(isa.describe()).isEqualTo("cpu: unknown CPU, pre-AVX2 (oneDNN: pre-AVX2)");
  }
}
