package dev.contrastive.local.run;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.ProgressStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * A run as {@code kubectl get ctrun} prints it: NAME PHASE WORKERS (pods ready/desired) RANKS (the
 * world size: training processes) EPOCH LOSS KNN AGE MESSAGE (what the trainer does before its
 * first step, e.g. a Hub data set's download).
 */
public final class StatusLine {

  public static final String HEADER = String.format("%-24s %-10s %-8s %-5s %-6s %-8s %-6s %s",
      "NAME", "PHASE", "WORKERS", "RANKS", "EPOCH", "LOSS", "KNN", "AGE") + "    MESSAGE";

  private StatusLine() {}

  /** The columns except AGE and MESSAGE, so a caller can print only when something changed. */
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

  /** The trainer's status.progress.message, empty when there is none. */
  public static String message(ContrastiveTrainingRun run) {
    ContrastiveTrainingRunStatus status = run.getStatus();
    return status == null || status.progress == null || status.progress.message == null ? ""
        : status.progress.message;
  }

  public static String withAge(String columns, Instant created, Instant now) {
    Duration age = Duration.between(created, now);
    String text = age.toMinutes() > 0 ? age.toMinutes() + "m" + age.toSecondsPart() + "s" : age.toSeconds() + "s";
    return columns + " " + text;
  }

  /** The whole line: the columns, AGE, then MESSAGE when there is one. */
  public static String line(ContrastiveTrainingRun run, Instant created, Instant now) {
    String message = message(run);
    String line = withAge(columns(run), created, now);
    return message.isEmpty() ? line : String.format("%-" + (HEADER.indexOf("MESSAGE")) + "s%s", line + " ", message);
  }
}
