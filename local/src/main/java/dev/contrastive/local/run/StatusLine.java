package dev.contrastive.local.run;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.ProgressStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * A run as {@code kubectl get ctrun} prints it: NAME PHASE WORKERS (pods ready/desired) RANKS (the
 * world size: training processes) EPOCH LOSS KNN AGE.
 */
public final class StatusLine {

  public static final String HEADER = String.format("%-24s %-10s %-8s %-5s %-6s %-8s %-6s %s",
      "NAME", "PHASE", "WORKERS", "RANKS", "EPOCH", "LOSS", "KNN", "AGE");

  private StatusLine() {}

  /** The columns except AGE, so a caller can print only when something changed. */
  public static String columns(ContrastiveTrainingRun run) {
    ContrastiveTrainingRunStatus status = run.getStatus();
    ProgressStatus progress = status == null ? null : status.progress;
    return String.format(Locale.ROOT, "%-24s %-10s %-8s %-5s %-6s %-8s %-6s",
        run.getMetadata().getName(),
        status == null || status.phase == null ? "" : status.phase,
        status == null || status.workers == null || status.workers.summary == null ? "" : status.workers.summary,
        status == null || status.workers == null || status.workers.worldSize == null ? "" : status.workers.worldSize,
        progress == null || progress.epoch == null ? "" : progress.epoch,
        progress == null || progress.loss == null ? "" : String.format(Locale.ROOT, "%.4f", progress.loss),
        progress == null || progress.knnTop1 == null ? "" : String.format(Locale.ROOT, "%.3f", progress.knnTop1));
  }

  public static String withAge(String columns, Instant created, Instant now) {
    Duration age = Duration.between(created, now);
    String text = age.toMinutes() > 0 ? age.toMinutes() + "m" + age.toSecondsPart() + "s" : age.toSeconds() + "s";
    return columns + " " + text;
  }
}
