package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code bench} prints one line in the PyTorch reference's format, data-parallel with its share of all-reduce. */
class BenchCommandTest {

  @Test
  void printsImagesPerSecondAndPeakMemoryLikeThePyTorchReference() {
    CliRun run = CliRun.run("bench", "-f", CliRun.TINY.toString(), "--batch", "4", "--steps", "1");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).containsPattern(
        "engine=djl-pytorch-\\S+ arch=resnet18 batch=4 image=16 steps=1 images_per_second=[0-9.]+"
            + " seconds_per_step=[0-9.]+ peak_rss_mib=[0-9]+ device=cpu\\(\\) peak_device_mib=n/a"
            + " host_transfer=zero-copy allocator=(glibc|tcmalloc|jemalloc)"
            + " isa=(pre-AVX2|AVX2|AVX-512|AVX-512\\+BF16|AVX-512\\+AMX)(\\(capped\\))?");
  }

  @Test
  void dataParallelBenchPrintsRanksAndAllReduceShareFromRankZeroOnly() {
    CliRun run = CliRun.run("bench", "--nproc", "2", "-f", CliRun.TINY.toString(), "--batch", "4", "--steps", "1");

    assertThat(run.exitCode()).as(run.out()).isZero();
    assertThat(run.out()).containsPattern(
        "\\[rank 0] engine=djl-pytorch-\\S+ arch=resnet18 batch=4 ranks=2 negatives=global sync_batchnorm=true image=16 steps=1"
            + " images_per_second=[0-9.]+ seconds_per_step=[0-9.]+ allreduce_seconds_per_step=[0-9.]+"
            + " allreduce_share=[01]\\.[0-9]+ peak_rss_mib=[0-9]+ device=cpu\\(\\) peak_device_mib=n/a"
            + " host_transfer=zero-copy replica_check=passed allocator=(glibc|tcmalloc|jemalloc) isa=\\S+");
    assertThat(run.out()).doesNotContain("[rank 1] engine=");
  }
}
