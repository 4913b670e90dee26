package dev.contrastive.trainer.observe;

import ai.djl.Device;
import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.metrics.MetricsEndpoint;
import dev.contrastive.trainer.metrics.TrainerMetrics;
import dev.contrastive.trainer.metrics.TrainerRegistry;
import dev.contrastive.trainer.tracking.TrackedRun;
import dev.contrastive.trainer.tracking.Tracking;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Map;

/** What a training process tells the outside: its /metrics endpoint and, on rank 0, the tracking backends. */
public final class Observability {

  private Observability() {}

  /**
   * Starts the observers of this process, which computes on {@code device}; close the result when
   * training ends.
   */
  public static Observers start(ContrastiveTrainingRun run, int rank, int worldSize, Device device,
      Map<String, String> env) {
    ContrastiveTrainingRunSpec spec = run.getSpec();
    RunIdentity id = RunIdentity.of(run, env, rank, worldSize);
    Observers observers = new Observers();
    PrometheusMeterRegistry registry = TrainerRegistry.create(id.runName(), id.rank(), device);
    observers.own(registry::close);
    observers.add(new TrainerMetrics(registry, Clock.systemUTC()));
    int port = spec.metrics == null ? 0 : spec.metrics.portOf(id.localRank());
    if (port > 0) {
      MetricsEndpoint.start(registry, port).ifPresent(observers::own);
    }
    TrackedRun tracked = TrackedRun.of(spec, id.runName(), id.namespace(), id.uid(), worldSize);
    Tracking.start(spec, tracked, rank, env, registry).ifPresent(tracking -> observers.add(observers.own(tracking)));
    return observers;
  }
}
