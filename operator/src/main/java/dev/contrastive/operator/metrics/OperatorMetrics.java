package dev.contrastive.operator.metrics;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.observe.GangState.WorkerFailure;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The operator's own series (Micrometer; Prometheus scrapes /q/metrics): runs by phase, gang
 * restarts by reason, reconcile duration and errors, and how long runs wait from creation until
 * every worker runs.
 */
public final class OperatorMetrics {

  public static final String PREFIX = "contrastive.operator.";
  /** Buckets of the time to Running: scheduling and image pulls take seconds to many minutes. */
  private static final Duration[] START_BUCKETS = {
      Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(1),
      Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30),
      Duration.ofHours(1)};
  /** Buckets of a reconcile, for its quantiles on the operator's dashboard. */
  private static final Duration[] RECONCILE_BUCKETS = {
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private final MeterRegistry registry;
  private final Timer reconcileTime;
  private final Timer timeToRunning;
  private volatile Supplier<Stream<ContrastiveTrainingRun>> runs = Stream::empty;
  /** Each run's phase as the operator recorded it, by uid: the status a trainer may forge is not counted. */
  private final Map<String, Phase> recorded = new ConcurrentHashMap<>();

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    reconcileTime = Timer.builder(PREFIX + "reconcile").description("time of one reconcile of a run")
        .serviceLevelObjectives(RECONCILE_BUCKETS)
        .register(registry);
    timeToRunning = Timer.builder(PREFIX + "run.time.to.running")
        .description("time from a run's creation until all its workers first ran")
        .serviceLevelObjectives(START_BUCKETS)
        .register(registry);
    for (Phase phase : Phase.values()) {
      Gauge.builder(PREFIX + "runs", () -> count(phase)).description("runs the operator watches, by phase")
          .tag("phase", phase.name()).register(registry);
    }
  }

  /** The operator's record of {@code run} says {@code status} (null: no record yet). */
  public void recorded(ContrastiveTrainingRun run, ContrastiveTrainingRunStatus status) {
    String uid = run.getMetadata().getUid();
    if (uid == null) {
      return;
    }
    if (status == null || status.phase == null) {
      recorded.remove(uid);
    } else {
      recorded.put(uid, status.phase);
    }
  }

  /**
   * Which runs are counted at each scrape: the operator's cache of runs, each by its recorded
   * phase ({@link #recorded}), not by the status shown, which trainers may patch.
   */
  public void countRunsFrom(Supplier<Stream<ContrastiveTrainingRun>> runs) {
    this.runs = runs;
  }

  /** Times {@code reconcile}, counting it as an error (by exception class) when it throws. */
  public <T> T timeReconcile(Supplier<T> reconcile) {
    Timer.Sample sample = Timer.start(registry);
    try {
      return reconcile.get();
    } catch (RuntimeException e) {
      Counter.builder(PREFIX + "reconcile.errors").description("reconciles that failed, by exception")
          .tag("exception", e.getClass().getSimpleName()).register(registry).increment();
      throw e;
    } finally {
      sample.stop(reconcileTime);
    }
  }

  /** The gang was deleted to start again after {@code failure}. */
  public void gangRestarted(WorkerFailure failure) {
    Counter.builder(PREFIX + "gang.restarts").description("gang restarts, by the failure that caused them")
        .tag("reason", RestartReason.of(failure)).register(registry).increment();
  }

  /**
   * A status is about to be written: the first time a run reaches Running, the time since its
   * creation is recorded.
   */
  public void statusChanged(ContrastiveTrainingRun run, ContrastiveTrainingRunStatus current,
      ContrastiveTrainingRunStatus next, Instant now) {
    boolean firstRunning = next.phase == Phase.Running && (current == null || current.startTime == null);
    String created = run.getMetadata().getCreationTimestamp();
    if (firstRunning && created != null) {
      Duration waited = Duration.between(Instant.parse(created), now);
      if (!waited.isNegative()) {
        timeToRunning.record(waited);
      }
    }
  }

  private double count(Phase phase) {
    Set<String> present = runs.get().map(run -> run.getMetadata().getUid()).collect(Collectors.toSet());
    recorded.keySet().retainAll(present); // deleted runs
    return present.stream().filter(uid -> phaseOf(uid) == phase).count();
  }

  /** A run the operator has recorded nothing for yet is Pending. */
  private Phase phaseOf(String uid) {
    return uid == null ? Phase.Pending : recorded.getOrDefault(uid, Phase.Pending);
  }
}
