package dev.contrastive.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The periodic log line a user reads to see whether the loader keeps up. */
class ProgressLogTest {

  @Test
  void theLineShowsTheStepsWaitForDataAndItsShare() {
    ProgressLog log = new ProgressLog(null, 100, 2);
    assertThat(log.lineText(0, 10, 5.4321, 123.45, 0.01f, Duration.ofSeconds(75), Duration.ofNanos(12_340_000), 0.256))
        .isEqualTo("epoch 1/2 step 10/100 loss 5.4321 images/s 123.5 lr 0.010000 eta 0:01:15 data_wait 12.3ms (26%)");
  }

  @Test
  void theWindowAveragesTheWaitOverItsStepsAndNeverClaimsMoreThanItsWallTime() {
    StepWindow window = new StepWindow();
    assertThat(window.meanDataWait()).isEqualTo(Duration.ZERO);
    window.waited(Duration.ofMillis(30).toNanos());
    window.waited(Duration.ofMillis(10).toNanos());
    assertThat(window.meanDataWait()).isEqualTo(Duration.ofMillis(20));
    // 40 ms of waiting in a window that began just now: capped at the whole of its wall time
    assertThat(window.dataWaitShare()).isEqualTo(1.0);
  }
}
