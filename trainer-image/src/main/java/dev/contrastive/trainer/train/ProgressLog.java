package dev.contrastive.trainer.train;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The human side of progress: a log line every {@code logIntervalSteps} (epoch, step, loss,
 * images/s of the whole gang, lr, ETA, this rank's wait for data) and, when stdout is a terminal, a progress bar redrawn in
 * place after every step.
 */
final class ProgressLog {

  private static final Logger LOG = LoggerFactory.getLogger("trainer");
  private static final int BAR_WIDTH = 30;

  private final PrintStream terminal;
  private final long totalSteps;
  private final int totalEpochs;

  /**
   * @param terminal where to draw the bar; null when stdout is not a terminal
   */
  ProgressLog(PrintStream terminal, long totalSteps, int totalEpochs) {
    this.terminal = terminal;
    this.totalSteps = totalSteps;
    this.totalEpochs = totalEpochs;
  }

  /** A line for step {@code step} (1-based count of steps done). */
  void line(int epoch, long step, double loss, double imagesPerSecond, float lr, Duration eta,
      Duration dataWait, double dataWaitShare) {
    clearBar();
    LOG.info(lineText(epoch, step, loss, imagesPerSecond, lr, eta, dataWait, dataWaitShare));
  }

  /**
   * The log line; {@code data_wait} is this rank's mean wait of a step for its batch and that
   * wait's share of the wall time, so a loader that cannot keep up is visible, not silent.
   */
  String lineText(int epoch, long step, double loss, double imagesPerSecond, float lr, Duration eta,
      Duration dataWait, double dataWaitShare) {
    return String.format(Locale.ROOT,
        "epoch %d/%d step %d/%d loss %.4f images/s %.1f lr %.5g eta %s data_wait %.1fms (%.0f%%)",
        epoch + 1, totalEpochs, step, totalSteps, loss, imagesPerSecond, lr, format(eta),
        dataWait.toNanos() / 1e6, 100 * dataWaitShare);
  }

  void info(String message) {
    clearBar();
    LOG.info(message);
  }

  void warn(String message) {
    clearBar();
    LOG.warn(message);
  }

  void bar(long step, double loss) {
    if (terminal == null) {
      return;
    }
    int filled = (int) (BAR_WIDTH * step / Math.max(1, totalSteps));
    terminal.printf(Locale.ROOT, "\r[%s%s] %d/%d loss %.4f",
        "#".repeat(filled), " ".repeat(BAR_WIDTH - filled), step, totalSteps, loss);
    terminal.flush();
  }

  private void clearBar() {
    if (terminal != null) {
      terminal.print("\r" + " ".repeat(BAR_WIDTH + 40) + "\r");
    }
  }

  static String format(Duration d) {
    long s = Math.max(0, d.toSeconds());
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  }
}
