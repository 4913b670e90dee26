package dev.contrastive.operator.reconcile;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.WorkersStatus;
import dev.contrastive.operator.metrics.OperatorMetrics;
import dev.contrastive.operator.plan.RunNames;
import dev.contrastive.operator.plan.RunState;
import dev.contrastive.operator.status.Outcome;
import dev.contrastive.operator.status.PhaseEvents;
import dev.contrastive.operator.status.StatusCalculator;
import dev.contrastive.operator.status.StatusPatcher;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One reconcile's view of what the operator has decided about a run, and how it records a new
 * decision: first in its own record ({@link RunState}, which trainers cannot write), then as the
 * run's status (the display copy, repaired whenever it differs, e.g. after a trainer patched it),
 * then an Event when the phase or reason changed.
 *
 * <p>{@link #load} puts the record into the run's status, so everything that decides reads the
 * operator's own fields; what the API server showed is kept only to patch the display.
 */
final class RunRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(RunRecorder.class);
  /** A status message as long as the trainer's: enough for an API server's refusal. */
  private static final int ERROR_MAX_LENGTH = 512;

  private final KubernetesClient client;
  private final ContrastiveTrainingRun run;
  private final String fieldManager;
  private final OperatorMetrics metrics;
  private final boolean keepsRecord;
  /** Where the record is read from and written to; null when none is kept. */
  private final OwnedObjects owned;
  /** As last read or written; null while the run has none. */
  private ConfigMap record;
  /** The status as the API server has it (display copy plus the trainer's progress). */
  private ContrastiveTrainingRunStatus shown;
  /** The spec the gang runs and why the run ended, as recorded (null: none yet). */
  private String gangSpec;
  private String finalReason;
  /** The spec the gang runs as of this pass, recorded with the next status written. */
  private String nextGangSpec;

  private RunRecorder(KubernetesClient client, ContrastiveTrainingRun run, String fieldManager,
      OperatorMetrics metrics, OwnedObjects owned, ConfigMap record, ContrastiveTrainingRunStatus shown,
      RunState state) {
    this.client = client;
    this.run = run;
    this.fieldManager = fieldManager;
    this.metrics = metrics;
    this.keepsRecord = owned != null;
    this.owned = owned;
    this.record = record;
    this.shown = shown;
    this.gangSpec = state == null ? null : state.gangSpec();
    this.finalReason = state == null ? null : state.finalReason();
    this.nextGangSpec = gangSpec;
  }

  /**
   * Reads the run's record (from the operator's informer: each write of it is put there at once, and
   * a write over a stale copy is refused by its resourceVersion) and sets it as the run's status (null when there is none yet: a new run).
   *
   * @throws ForeignObjectException or {@link PreviousRunObjectException} when a ConfigMap of the
   *     record's name is not this run's
   * @throws IllegalArgumentException when the record cannot be read
   */
  static RunRecorder load(KubernetesClient client, ContrastiveTrainingRun run, OwnedObjects owned,
      String fieldManager, OperatorMetrics metrics) {
    ContrastiveTrainingRunStatus shown = run.getStatus();
    ConfigMap name = new ConfigMapBuilder().withNewMetadata()
        .withNamespace(run.getMetadata().getNamespace()).withName(RunNames.state(run)).endMetadata().build();
    // Not cached: a new run's (one read, on its first pass), or one without the run label, whose
    // owner must still be checked.
    ConfigMap record = owned.current(name).orElseGet(() -> client.resource(name).get());
    if (record != null) {
      owned.requireOwned(record);
    }
    RunState state = record == null ? null : RunState.read(record).orElse(null);
    run.setStatus(state == null ? null : state.status());
    metrics.recorded(run, run.getStatus());
    return new RunRecorder(client, run, fieldManager, metrics, owned, record, shown, state);
  }

  /**
   * For a run whose record cannot be kept (its name is taken, or it cannot be read): the status
   * shown is all there is, and only it is written.
   */
  static RunRecorder displayOnly(KubernetesClient client, ContrastiveTrainingRun run, String fieldManager,
      OperatorMetrics metrics) {
    return new RunRecorder(client, run, fieldManager, metrics, null, null, run.getStatus(), null);
  }

  /** The spec (a {@code SpecChanges} snapshot) the gang was started with, as recorded. */
  Optional<String> gangSpec() {
    return Optional.ofNullable(gangSpec);
  }

  /** The spec the gang runs from this pass on; recorded with the next status written. */
  void gangRuns(String snapshot) {
    nextGangSpec = snapshot;
  }

  /** The reason the run ended (the Ready condition's reason then), as recorded; null while it runs. */
  String finalReason() {
    return finalReason;
  }

  /** Records the outcome and returns the status now recorded (also the run's status from here on). */
  ContrastiveTrainingRunStatus record(Outcome outcome, WorkersStatus workers, Instant now) {
    ContrastiveTrainingRunStatus next = next(outcome, workers, now);
    write(next, outcome, now, false);
    return next;
  }

  /** The status this outcome gives, from the operator's record (not yet written). */
  ContrastiveTrainingRunStatus next(Outcome outcome, WorkersStatus workers, Instant now) {
    return StatusCalculator.next(run.getStatus(), run.getMetadata().getGeneration(), outcome, workers, now);
  }

  /** @param alwaysEvent an Event even when phase and reason stay (each gang restart is one) */
  void write(ContrastiveTrainingRunStatus next, Outcome outcome, Instant now, boolean alwaysEvent) {
    ContrastiveTrainingRunStatus current = run.getStatus();
    boolean changed = StatusPatcher.differs(current, next);
    String nextFinalReason = next.phase != null && next.phase.isFinished() ? outcome.reason() : null;
    if (keepsRecord && (changed || !Objects.equals(gangSpec, nextGangSpec)
        || !Objects.equals(finalReason, nextFinalReason))) {
      save(new RunState(next, nextGangSpec, nextFinalReason));
      gangSpec = nextGangSpec;
      finalReason = nextFinalReason;
    }
    if (StatusPatcher.differs(shown, next)) {
      StatusPatcher.patch(client, run, shown, next, fieldManager);
      shown = next;
    }
    if (changed) {
      metrics.statusChanged(run, current, next, now);
    }
    metrics.recorded(run, next);
    if (alwaysEvent || current == null || current.phase != next.phase || !outcome.reason().equals(readyReason(current))) {
      PhaseEvents.emit(client, run, outcome, now);
    }
    run.setStatus(next);
  }

  /** Puts the display copy back where it differs from the record (a finished run writes nothing else). */
  void repairDisplay() {
    ContrastiveTrainingRunStatus recorded = run.getStatus();
    if (keepsRecord && recorded != null && StatusPatcher.differs(shown, recorded)) {
      StatusPatcher.patch(client, run, shown, recorded, fieldManager);
      shown = recorded;
    }
  }

  /**
   * Shows {@code message} as the run's status message, all else of the display copy unchanged; the
   * operator's record is not touched. Best effort: a failure to show the error is not a new error.
   */
  void showError(String message) {
    ContrastiveTrainingRunStatus next = shown == null ? new ContrastiveTrainingRunStatus()
        : Serialization.clone(shown);
    next.progress = null;
    next.message = message.length() > ERROR_MAX_LENGTH ? message.substring(0, ERROR_MAX_LENGTH) : message;
    try {
      StatusPatcher.patch(client, run, shown, next, fieldManager);
    } catch (KubernetesClientException e) {
      LOG.warn("could not show the error in the status of run {}/{}: {}", run.getMetadata().getNamespace(),
          run.getMetadata().getName(), e.getMessage());
    }
  }

  /** Create, or update at the resourceVersion read: a concurrent writer makes this fail, not interleave. */
  private void save(RunState next) {
    ConfigMap desired = next.configMap(run);
    if (record == null) {
      record = owned.created(client.resource(desired).create());
    } else {
      ConfigMap written = Serialization.clone(record); // the cache's copy is shared
      written.setData(desired.getData());
      record = owned.updated(written, record);
    }
  }

  private static String readyReason(ContrastiveTrainingRunStatus status) {
    return status.conditions == null ? null : status.conditions.stream()
        .filter(c -> StatusCalculator.READY.equals(c.getType())).map(c -> c.getReason()).findFirst().orElse(null);
  }
}
