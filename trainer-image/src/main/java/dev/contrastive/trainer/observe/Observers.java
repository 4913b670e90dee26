package dev.contrastive.trainer.observe;

import dev.contrastive.trainer.train.Neighbours;
import dev.contrastive.trainer.train.StepStats;
import dev.contrastive.trainer.train.TrainingObserver;
import dev.contrastive.trainer.train.TrainingRun;
import dev.contrastive.trainer.train.TrainingState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several observers as one, each shielded from the others and from the training loop: an
 * observer that throws is reported once (per observer) and called again next time, and training
 * goes on. Closes what the observers hold, last opened first.
 */
public final class Observers implements TrainingObserver, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Observers.class);

  private final List<TrainingObserver> observers = new ArrayList<>();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final Set<TrainingObserver> reported = new HashSet<>();

  public Observers add(TrainingObserver observer) {
    observers.add(observer);
    return this;
  }

  /** Closed by {@link #close}, in the reverse order of adding. */
  public <T extends AutoCloseable> T own(T resource) {
    resources.add(resource);
    return resource;
  }

  @Override
  public int contactSheetQueries() {
    return observers.stream().mapToInt(TrainingObserver::contactSheetQueries).max().orElse(0);
  }

  @Override
  public void started(long totalSteps, int totalEpochs, TrainingState from, Path lastCheckpoint) {
    each(o -> o.started(totalSteps, totalEpochs, from, lastCheckpoint));
  }

  @Override
  public void stepped(int epoch, long step, float loss, float lr, int images, StepStats stats) {
    each(o -> o.stepped(epoch, step, loss, lr, images, stats));
  }

  @Override
  public void logged(int epoch, long step, double loss, double imagesPerSecond, float lr) {
    each(o -> o.logged(epoch, step, loss, imagesPerSecond, lr));
  }

  @Override
  public void evaluated(int epoch, long step, double knnTop1, Neighbours neighbours) {
    each(o -> o.evaluated(epoch, step, knnTop1, neighbours));
  }

  @Override
  public void checkpointed(long step, Path checkpoint) {
    each(o -> o.checkpointed(step, checkpoint));
  }

  @Override
  public void epochEnded(int epoch, long step, double loss, double imagesPerSecond) {
    each(o -> o.epochEnded(epoch, step, loss, imagesPerSecond));
  }

  @Override
  public void finished(TrainingRun.Result result, boolean complete, Path exportedModel) {
    each(o -> o.finished(result, complete, exportedModel));
  }

  private void each(Consumer<TrainingObserver> call) {
    for (TrainingObserver observer : observers) {
      try {
        call.accept(observer);
      } catch (RuntimeException e) {
        if (reported.add(observer)) {
          LOG.warn("{} failed; training goes on (reported once): {}", observer.getClass().getSimpleName(), e.toString());
        }
      }
    }
  }

  @Override
  public void close() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        LOG.warn("closing {}: {}", resources.get(i).getClass().getSimpleName(), e.toString());
      }
    }
  }
}
