package dev.contrastive.local.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.api.status.ProgressStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatusLineTest {

  @Test
  void aDownloadLineIsTheLastColumnUnderMessage() {
    ContrastiveTrainingRun run = new ContrastiveTrainingRun();
    run.setMetadata(new ObjectMetaBuilder().withName("imagenet").build());
    run.setStatus(new ContrastiveTrainingRunStatus());
    run.getStatus().phase = Phase.Running;
    run.getStatus().progress = new ProgressStatus();
    run.getStatus().progress.message = "downloading ILSVRC/imagenet-1k: 12/294 shards, 6.3 GB of 155 GB";
    Instant created = Instant.parse("2026-12-02T08:00:00Z");

    String line = StatusLine.line(run, created, created.plusSeconds(75));

    assertThat(StatusLine.HEADER).endsWith(" AGE    MESSAGE");
    assertThat(line.indexOf("downloading ")).isEqualTo(StatusLine.HEADER.indexOf("MESSAGE"));
    assertThat(line).contains(" 1m15s ").endsWith("6.3 GB of 155 GB");

    run.getStatus().progress.message = ""; // cleared when training starts
    assertThat(StatusLine.line(run, created, created.plusSeconds(75))).endsWith(" 1m15s");
  }
}
