package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code trainer check-data-parallel}: what bench/gpu-check.sh runs, with 2 CPU processes. */
class CheckDataParallelCommandTest {

  @Test
  void twoProcessesMatchOneProcessOnTheGlobalBatch() {
    CliRun run = CliRun.run("check-data-parallel", "--nproc", "2");

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).containsPattern("\\[rank 0] data-parallel check passed on cpu\\(\\), zero-copy host"
        + " transfer, flat ring of 2: 2 ranks, 3 steps: largest difference from one process on the global batch"
        + " [0-9.e-]+ \\(limit 1e-05\\); replica check: 6 parameters identical on all ranks");
  }
}
