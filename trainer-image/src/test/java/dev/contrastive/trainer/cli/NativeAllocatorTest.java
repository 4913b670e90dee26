package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Benchmark lines and the training note name the malloc that libtorch runs on. */
class NativeAllocatorTest {

  private static final String LIBC =
      "7f2a1c000000-7f2a1c028000 r--p 00000000 fe:01 1310 /usr/lib/x86_64-linux-gnu/libc.so.6";
  private static final String TORCH =
      "7f2a10000000-7f2a18000000 r-xp 00000000 fe:01 2211 /root/.djl.ai/pytorch/2.7.1-cpu/libtorch_cpu.so";

  @Test
  void aPreloadedTcmallocIsNamed() {
    String tcmalloc = "7f2a1d000000-7f2a1d020000 r-xp 00000000 fe:01 4242"
        + " /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4.5.10";

    assertThat(NativeAllocator.fromMappedLibraries(Stream.of(tcmalloc, LIBC, TORCH))).isEqualTo("tcmalloc");
  }

  @Test
  void jemallocIsNamedToo() {
    String jemalloc = "7f2a1d000000-7f2a1d020000 r-xp 00000000 fe:01 4243 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2";

    assertThat(NativeAllocator.fromMappedLibraries(Stream.of(LIBC, jemalloc))).isEqualTo("jemalloc");
  }

  @Test
  void withoutAPreloadedAllocatorItIsGlibc() {
    String anonymous = "7ffd4a5e0000-7ffd4a601000 rw-p 00000000 00:00 0 [stack]";

    assertThat(NativeAllocator.fromMappedLibraries(Stream.of(LIBC, TORCH, anonymous))).isEqualTo("glibc");
  }

  @Test
  void thisTestJvmIsReportedAsWhatItsEnvironmentPreloads() {
    String preload = System.getenv().getOrDefault("LD_PRELOAD", "");
    String expected = preload.contains("tcmalloc") ? "tcmalloc" : preload.contains("jemalloc") ? "jemalloc" : "glibc";

    assertThat(NativeAllocator.inUse()).isEqualTo(expected);
  }
}
