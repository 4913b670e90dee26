package dev.contrastive.operator.reconcile;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.config.TrainingFields;
import dev.contrastive.api.naming.RunName;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.api.status.WorkersStatus;
import dev.contrastive.operator.lifecycle.Decision;
import dev.contrastive.operator.lifecycle.LifecyclePolicy;
import dev.contrastive.operator.lifecycle.PodCleanup;
import dev.contrastive.operator.lifecycle.SpecChanges;
import dev.contrastive.operator.plan.Gang;
import dev.contrastive.operator.plan.KueuePodGroup;
import dev.contrastive.operator.plan.Rendezvous;
import dev.contrastive.operator.plan.ResolvedRun;
import dev.contrastive.operator.plan.RunAccess;
import dev.contrastive.operator.plan.RunNetworkPolicy;
import dev.contrastive.operator.plan.TrainingConfig;
import dev.contrastive.operator.plan.VolcanoPodGroup;
import dev.contrastive.operator.plan.WorkerPods;
import dev.contrastive.operator.plan.World;
import dev.contrastive.operator.plan.WorldPlan;
import dev.contrastive.operator.plan.WorldPlanner;
import dev.contrastive.operator.status.Outcome;
import dev.contrastive.operator.status.StatusCalculator;
import dev.contrastive.operator.status.StatusPatcher;
import dev.contrastive.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reconciles a run in named steps ({@link #reconcileRun}): observe the run, its pods and the nodes;
 * admit it (name, the operator's record, resolved spec, template, suspension); ensure its fixed
 * objects; plan its world; decide what its pods call for; ensure its pods; record status. The
 * decisions are pure functions of the plan, lifecycle and status packages; the operator's own
 * record of a run ({@link RunRecorder}) is kept where trainers cannot write. A pass that throws
 * shows its error in the run's status ({@link #updateErrorStatus}) and is retried.
 */
@ControllerConfiguration(name = "contrastivetrainingrun", fieldManager = StatusPatcher.FIELD_MANAGER)
// Exactly the verbs this class uses; deploy/rbac.yaml grants the same (RbacManifestTest), and says why.
@RBACRule(apiGroups = ContrastiveTrainingRun.GROUP, resources = "contrastivetrainingruns",
    verbs = {"get", "list", "watch", "delete"})
@RBACRule(apiGroups = ContrastiveTrainingRun.GROUP, resources = "contrastivetrainingruns/status",
    verbs = {"get", "patch"})
@RBACRule(apiGroups = ContrastiveTrainingRun.GROUP, resources = "contrastivetrainingruns/finalizers",
    verbs = "update")
@RBACRule(apiGroups = "", resources = "pods", verbs = {"list", "watch", "create", "delete"})
@RBACRule(apiGroups = "", resources = "configmaps", verbs = {"get", "list", "watch", "create", "update"})
@RBACRule(apiGroups = "", resources = {"services", "serviceaccounts"}, verbs = {"get", "list", "watch", "create"})
@RBACRule(apiGroups = "", resources = "secrets", verbs = {"get", "create"})
@RBACRule(apiGroups = "rbac.authorization.k8s.io", resources = {"roles", "rolebindings"},
    verbs = {"get", "list", "watch", "create"})
@RBACRule(apiGroups = "", resources = "events", verbs = {"get", "create", "patch"})
@RBACRule(apiGroups = "networking.k8s.io", resources = "networkpolicies",
    verbs = {"get", "list", "watch", "create", "update"})
@RBACRule(apiGroups = "", resources = "nodes", verbs = {"list", "watch"})
@RBACRule(apiGroups = "scheduling.volcano.sh", resources = "podgroups", verbs = {"get", "create", "update"})
@RBACRule(apiGroups = "kueue.x-k8s.io", resources = "workloads", verbs = "delete")
public class ContrastiveTrainingRunReconciler implements Reconciler<ContrastiveTrainingRun> {

  /** Setting: namespaces whose pods may reach the workers' metrics ports (comma-separated; unset: any). */
  public static final String METRICS_NAMESPACES = "contrastive.operator.metrics-namespaces";
  /** Where an operator before the record's {@code gangSpec} kept the gang's spec: on the config map. */
  static final String LEGACY_SPEC_ANNOTATION = "contrastive.dev/spec";
  static final String SPEC_CHANGE_IGNORED = "SpecChangeIgnored";
  /** How often a run waiting for free GPUs looks again. */
  static final Duration FREE_GPU_RECHECK = Duration.ofSeconds(10);
  /** How often a run waiting for a deleted namesake's objects to be garbage-collected looks again. */
  static final Duration PREVIOUS_RUN_RECHECK = Duration.ofSeconds(5);
  /** How often a run waiting for a queue's API (Volcano's PodGroup) to be installed looks again. */
  static final Duration API_RECHECK = Duration.ofSeconds(10);
  static final String VOLCANO_MISSING = "VolcanoNotInstalled";
  private static final int HTTP_UNPROCESSABLE = 422;

  private final SecureRandom random = new SecureRandom();
  private final Clock clock = Clock.systemUTC();
  private final String fieldManager;
  private final OperatorMetrics metrics;
  private final List<String> metricsNamespaces;

  public ContrastiveTrainingRunReconciler() {
    this(Optional.of(StatusPatcher.FIELD_MANAGER));
  }

  /** A reconciler whose metrics nobody scrapes (tests, the local mode). */
  public ContrastiveTrainingRunReconciler(Optional<String> fieldManager) {
    this(fieldManager, new OperatorMetrics(new SimpleMeterRegistry()), Optional.empty());
  }

  /**
   * @param fieldManager of status patches; empty sends none, for the Fabric8 mock server, which
   *     drops a status patch that names one
   * @param metricsNamespaces namespaces whose pods may reach the workers' metrics ports (Prometheus');
   *     empty: any source ({@link RunNetworkPolicy})
   */
  @Inject
  public ContrastiveTrainingRunReconciler(
      @ConfigProperty(name = "contrastive.operator.status-field-manager") Optional<String> fieldManager,
      OperatorMetrics metrics,
      @ConfigProperty(name = METRICS_NAMESPACES) Optional<List<String>> metricsNamespaces) {
    this.fieldManager = fieldManager.orElse(null);
    this.metrics = metrics;
    this.metricsNamespaces = metricsNamespaces.orElse(List.of());
  }

  @Override
  public List<EventSource<?, ContrastiveTrainingRun>> prepareEventSources(
      EventSourceContext<ContrastiveTrainingRun> context) {
    metrics.countRunsFrom(() -> context.getPrimaryCache().list());
    return ClusterCache.eventSources(context);
  }

  @Override
  public UpdateControl<ContrastiveTrainingRun> reconcile(
      ContrastiveTrainingRun cached, Context<ContrastiveTrainingRun> context) {
    return metrics.timeReconcile(() -> reconcileRun(cached, context));
  }

  /**
   * A pass that threw (the API server refused a call, a conflict, a timeout) says so in the run's
   * status message, so {@code kubectl get} shows why the run does not move; JOSDK retries it. Only
   * the display copy changes: the operator's record keeps the phase, and the next pass that gets
   * through writes the message back.
   */
  @Override
  public ErrorStatusUpdateControl<ContrastiveTrainingRun> updateErrorStatus(
      ContrastiveTrainingRun run, Context<ContrastiveTrainingRun> context, Exception e) {
    int attempt = context.getRetryInfo().map(RetryInfo::getAttemptCount).orElse(1);
    RunRecorder.displayOnly(context.getClient(), run, fieldManager, metrics).showError("reconcile failed (attempt "
        + attempt + ", retrying): " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  /**
   * One pass over a run, as named steps; each hands on to the next or ends the pass with the
   * status it recorded. Planning and deciding are pure functions ({@link WorldPlanner},
   * {@link LifecyclePolicy}, {@link StatusCalculator}); this class reads and writes the cluster
   * around them, and status is recorded before the action it announces.
   */
  private UpdateControl<ContrastiveTrainingRun> reconcileRun(
      ContrastiveTrainingRun cached, Context<ContrastiveTrainingRun> context) {
    Optional<Pass> observed = observe(cached, context);
    if (observed.isEmpty()) {
      return UpdateControl.noUpdate();
    }
    Pass pass = observed.get();
    return admit(pass)
        .or(() -> ensureObjects(pass))
        .or(() -> plan(pass))
        .or(() -> decide(pass))
        .or(() -> ensurePods(pass))
        .orElseGet(() -> recordStatus(pass));
  }

  /** What one pass has learnt so far; each step fills in its part. */
  private static final class Pass {
    final KubernetesClient client;
    final ClusterCache cache;
    final ContrastiveTrainingRun run;
    final Instant now;
    /** The worker pods this run controls, read once per pass. */
    final List<Pod> pods;
    final List<Node> nodes;
    OwnedObjects owned;
    RunRecorder recorder;
    String config;
    /** Training fields edited while the run is under way, held back. */
    List<String> ignoredChanges = List.of();
    World world;
    WorkersStatus planned;
    Decision.Proceed proceed;
    Outcome outcome;

    Pass(KubernetesClient client, ClusterCache cache, ContrastiveTrainingRun run, Instant now, List<Pod> pods,
        List<Node> nodes) {
      this.client = client;
      this.cache = cache;
      this.run = run;
      this.now = now;
      this.pods = pods;
      this.nodes = nodes;
    }
  }

  /**
   * Observe: the run, read fresh (the cache may not hold the last status patch yet, and acting on an
   * old restart count would restart a gang twice), its pods and the nodes, from the operator's
   * informers ({@link ClusterCache}). Nothing is written. Empty when the run is gone.
   */
  private Optional<Pass> observe(ContrastiveTrainingRun cached, Context<ContrastiveTrainingRun> context) {
    KubernetesClient client = context.getClient();
    ContrastiveTrainingRun run = client.resource(cached).get();
    if (run == null) {
      return Optional.empty();
    }
    ClusterCache cache = new ClusterCache(context);
    // Only pods this run controls: a pod of someone else that carries the run's label is neither
    // counted nor deleted.
    return Optional.of(new Pass(client, cache, run, clock.instant(), cache.pods(run), cache.nodes()));
  }

  /**
   * Admit: the run has a name its workers can carry, the operator's record of it can be kept, it
   * is not finished, its spec resolves (from here on {@code run.getSpec()} is the resolved spec: the
   * operator plans what the trainer builds), its template merges, and it is not suspended.
   */
  private Optional<UpdateControl<ContrastiveTrainingRun>> admit(Pass pass) {
    ContrastiveTrainingRun run = pass.run;
    // The CRD's schema refuses such names; an older CRD (or none, in tests) may not. Nothing is
    // created under a name its workers could not carry, not even the record.
    Optional<String> badName = RunName.problem(run.getMetadata().getName());
    if (badName.isPresent()) {
      return Optional.of(refuse(displayOnly(pass), pass.client, pass.pods, badName.get(), pass.now));
    }
    pass.owned = new OwnedObjects(pass.client, run, pass.cache);
    // From here on run.getStatus() is the operator's own record, not what trainers may have patched.
    try {
      pass.recorder = RunRecorder.load(pass.client, run, pass.owned, fieldManager, metrics);
    } catch (ForeignObjectException | IllegalArgumentException e) {
      return Optional.of(refuse(displayOnly(pass), pass.client, pass.pods, e.getMessage(), pass.now));
    } catch (PreviousRunObjectException e) {
      return Optional.of(awaitPreviousRun(displayOnly(pass), e, pass.now));
    }
    if (isFinished(run.getStatus(), pass.recorder.finalReason(), run.getMetadata().getGeneration())) {
      pass.recorder.repairDisplay();
      return Optional.of(finished(pass.client, run, pass.pods, pass.now));
    }
    try {
      pass.config = TrainingConfig.yaml(ResolvedRun.resolveInPlace(run));
    } catch (InvalidConfigException e) {
      pass.recorder.record(Outcome.invalidConfig(e.getMessage()), null, pass.now);
      return Optional.of(UpdateControl.noUpdate());
    }
    try {
      WorkerPods.checkTemplate(run);
    } catch (InvalidConfigException e) {
      pass.recorder.record(Outcome.invalidSpec(e.getMessage()), null, pass.now);
      return Optional.of(UpdateControl.noUpdate());
    }
    if (LifecyclePolicy.isSuspended(run)) {
      delete(pass.client, pass.pods);
      pass.recorder.record(Outcome.suspended(), WorkersStatus.of(0, 0, List.of()), pass.now);
      return Optional.of(UpdateControl.noUpdate());
    }
    return Optional.empty();
  }

  /** Ensure objects: config, NetworkPolicy, Service and trainer RBAC, before any worker (the token: {@link #ensurePods}). */
  private Optional<UpdateControl<ContrastiveTrainingRun>> ensureObjects(Pass pass) {
    try {
      pass.ignoredChanges = ensureOwnedObjects(pass.client, pass.owned, pass.recorder, pass.run, pass.config);
      return Optional.empty();
    } catch (ForeignObjectException e) {
      return Optional.of(refuse(pass.recorder, pass.client, pass.pods, e.getMessage(), pass.now));
    } catch (PreviousRunObjectException e) {
      return Optional.of(awaitPreviousRun(pass.recorder, e, pass.now));
    }
  }

  /**
   * Plan: the world the gang runs on. A running gang keeps its own; a new one is planned from the
   * nodes (never a partial gang: without a world every pod goes).
   */
  private Optional<UpdateControl<ContrastiveTrainingRun>> plan(Pass pass) {
    ContrastiveTrainingRun run = pass.run;
    WorldPlan plan = runningWorld(run)
        .map(WorldPlan::of)
        .orElseGet(() -> placedByQueue(run) ? WorldPlanner.planForQueue(run.getSpec(), pass.nodes)
            : WorldPlanner.plan(run.getSpec(), pass.nodes, pass.cache.gpusInUse(run)));
    if (plan.world().isEmpty()) {
      delete(pass.client, pass.pods);
      pass.recorder.record(Outcome.waiting(plan.reason(), plan.message()), WorkersStatus.of(0, 0, List.of()), pass.now);
      // Other pods releasing GPUs send this run no event: look again.
      return Optional.of(WorldPlanner.NOT_ENOUGH_FREE_GPUS.equals(plan.reason())
          ? UpdateControl.<ContrastiveTrainingRun>noUpdate().rescheduleAfter(FREE_GPU_RECHECK)
          : UpdateControl.noUpdate());
    }
    pass.world = plan.world().get();
    pass.planned = WorkersStatus.of(pass.world.size(), 0, pass.world.nodes(),
        WorkerPods.worldSize(run.getSpec(), pass.world));
    return Optional.empty();
  }

  /**
   * Decide: what the gang's pods call for. Kueue stopped the gang: it is queued again. Pods of an
   * earlier gang: they go first. Otherwise {@link LifecyclePolicy}: restart the gang, fail the run,
   * or go on with the outcome it observed.
   */
  private Optional<UpdateControl<ContrastiveTrainingRun>> decide(Pass pass) {
    ContrastiveTrainingRun run = pass.run;
    if (KueuePodGroup.isUsed(run)) {
      Optional<PodCondition> stopped = pass.pods.stream().map(KueuePodGroup::stopped).flatMap(Optional::stream)
          .filter(condition -> !KueuePodGroup.WORKLOAD_DELETED.equals(condition.getReason())).findFirst();
      if (stopped.isPresent()) {
        // Kueue deletes the pods itself; a pod it has not reached yet must not go on training alone.
        delete(pass.client, pass.pods);
        pass.recorder.record(Outcome.queued(Outcome.EVICTED_BY_KUEUE, "Kueue stopped the gang ("
            + stopped.get().getReason() + (stopped.get().getMessage() == null ? "" : ": " + stopped.get().getMessage())
            + "); it waits for admission again and restarts from its last checkpoint, not counted against "
            + "spec.runPolicy.backoffLimit"), pass.planned, pass.now);
        return Optional.of(UpdateControl.noUpdate());
      }
    }
    String gang = Gang.id(run, pass.world);
    List<Pod> previous = pass.pods.stream().filter(pod -> !Gang.isMember(pod, gang)).toList();
    if (!previous.isEmpty()) {
      delete(pass.client, previous);
      pass.recorder.record(Outcome.waiting("PreviousGangTerminating", previous.size()
          + " worker pods of the previous gang are terminating; the new gang starts when they are gone"),
          pass.planned, pass.now);
      return Optional.of(UpdateControl.noUpdate());
    }
    Set<String> readyNodes = pass.nodes.stream().filter(WorldPlanner::isReady)
        .map(node -> node.getMetadata().getName()).collect(Collectors.toSet());
    Decision decision = LifecyclePolicy.decide(run, pass.world, pass.pods, readyNodes, pass.now);
    if (decision instanceof Decision.RestartGang restart) {
      Outcome outcome = Outcome.waiting(Outcome.WORKER_FAILED, restart.message());
      ContrastiveTrainingRunStatus next = StatusCalculator.restarted(
          pass.recorder.next(outcome, pass.planned, pass.now), Outcome.WORKER_FAILED, restart.message(), pass.now);
      pass.recorder.write(next, outcome, pass.now, true);
      metrics.gangRestarted(restart.failure());
      delete(pass.client, pass.pods);
      return Optional.of(UpdateControl.noUpdate());
    }
    if (decision instanceof Decision.Fail fail) {
      run.setStatus(pass.recorder.record(fail.outcome(), pass.planned, pass.now));
      return Optional.of(finished(pass.client, run, pass.pods, pass.now));
    }
    pass.proceed = (Decision.Proceed) decision;
    pass.outcome = pass.proceed.outcome();
    return Optional.empty();
  }

  /** Ensure pods: the batch scheduler's group (Volcano), then the token Secret and every missing worker of the gang. */
  private Optional<UpdateControl<ContrastiveTrainingRun>> ensurePods(Pass pass) {
    ContrastiveTrainingRun run = pass.run;
    World world = pass.world;
    if (VolcanoPodGroup.isUsed(run) && !pass.owned.ensureSpec(VolcanoPodGroup.CONTEXT, VolcanoPodGroup.of(run, world))) {
      pass.recorder.record(Outcome.waiting(VOLCANO_MISSING, "spec.schedulerName is volcano but the cluster serves no "
          + VolcanoPodGroup.API_VERSION + " PodGroup: install Volcano, or set another scheduler; looking again every "
          + API_RECHECK.toSeconds() + "s"), pass.planned, pass.now);
      return Optional.of(UpdateControl.<ContrastiveTrainingRun>noUpdate().rescheduleAfter(API_RECHECK));
    }
    Set<String> existing = pass.pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    List<Pod> created = new ArrayList<>();
    try {
      String kueueGroup = KueuePodGroup.isUsed(run) ? KueuePodGroup.groupName(run, pass.pods) : null;
      List<Pod> missing = WorkerPods.pods(run, world).stream()
          .filter(pod -> !existing.contains(pod.getMetadata().getName()))
          .map(pod -> kueueGroup == null ? pod : KueuePodGroup.member(pod, run, kueueGroup, world.size()))
          .toList();
      // Every name is looked at (among the pods that carry the run label) before any pod is made: a
      // gang that cannot be whole creates nothing. An unlabelled pod of a worker's name shows up as
      // the create's conflict, and the pods made before it go again.
      missing.forEach(pod -> pass.cache.labelledPod(pod.getMetadata().getNamespace(), pod.getMetadata().getName())
          .ifPresent(pass.owned::requireOwned));
      if (!missing.isEmpty()) {
        // The pods mount the token; pods that exist have it already, so a steady pass reads no Secret.
        pass.owned.createIfAbsent(Rendezvous.tokenSecret(run, newToken()));
      }
      for (Pod pod : missing) {
        pass.owned.create(pod).map(Pod.class::cast).ifPresent(made -> {
          created.add(made);
          pass.cache.created(run, made);
        });
      }
      if (kueueGroup != null) {
        // From the pods as they are now, the ones just made included: their watch events do not
        // reconcile again (the cache already has them), and gated pods send no other, so a message
        // from before they existed would stay (without the group, or the hint that Kueue never took them).
        pass.outcome = awaitingAdmission(run, world, Stream.concat(pass.pods.stream(), created.stream()).toList())
            .orElse(pass.outcome);
      }
      return Optional.empty();
    } catch (ForeignObjectException e) {
      // A pod of a worker's name that is not this run's: the gang can never be whole.
      return Optional.of(refuse(pass.recorder, pass.client, Stream.concat(pass.pods.stream(), created.stream()).toList(),
          e.getMessage(), pass.now));
    } catch (PreviousRunObjectException e) {
      return Optional.of(awaitPreviousRun(pass.recorder, e, pass.now));
    } catch (KubernetesClientException e) {
      if (e.getCode() != HTTP_UNPROCESSABLE || run.getSpec().template == null) {
        throw e;
      }
      // What the operator's checks did not see, the API server refused: no partial gang stays.
      List<Pod> gang = new ArrayList<>(pass.pods);
      gang.addAll(created);
      delete(pass.client, gang);
      pass.recorder.record(Outcome.invalidSpec("spec.template: the API server refused the worker pod: "
          + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage())),
          null, pass.now);
      return Optional.of(UpdateControl.noUpdate());
    }
  }

  /**
   * Record status: the decided outcome with the workers the policy observed ready, and whether an
   * edit of the spec was held back; a run that ends here is cleaned up as finished.
   */
  private UpdateControl<ContrastiveTrainingRun> recordStatus(Pass pass) {
    ContrastiveTrainingRun run = pass.run;
    ContrastiveTrainingRunStatus next = pass.recorder.next(pass.outcome, WorkersStatus.of(pass.world.size(),
        pass.proceed.gang().ready(), pass.world.nodes(), pass.planned.worldSize), pass.now);
    List<String> ignored = pass.ignoredChanges;
    // Said only once an edit was held back, and then kept (True again once the edit is reverted).
    if (!ignored.isEmpty() || next.conditions.stream().anyMatch(c -> StatusCalculator.SPEC_APPLIED.equals(c.getType()))) {
      next = StatusCalculator.specApplied(next, ignored.isEmpty(),
          ignored.isEmpty() ? "SpecApplied" : SPEC_CHANGE_IGNORED,
          ignored.isEmpty() ? "the workers run the spec as it is"
              : String.join(", ", ignored) + " changed while the run is under way; training fields ("
                  + String.join(", ", TrainingFields.GROUPS) + ") are fixed for the whole run: revert the edit, or "
                  + "create a new run",
          pass.now);
    }
    pass.recorder.write(next, pass.outcome, pass.now, false);
    if (next.phase.isFinished()) {
      run.setStatus(next);
      return finished(pass.client, run, pass.pods, pass.now);
    }
    return pass.proceed.recheckAfter().map(UpdateControl.<ContrastiveTrainingRun>noUpdate()::rescheduleAfter)
        .orElseGet(UpdateControl::noUpdate);
  }

  private RunRecorder displayOnly(Pass pass) {
    return RunRecorder.displayOnly(pass.client, pass.run, fieldManager, metrics);
  }

  /**
   * Config, NetworkPolicy, Service and trainer RBAC exist; returns the spec fields whose edit is ignored
   * because the run is under way (its config is then left as the gang started with it, and the
   * record's {@code gangSpec} says which spec that is).
   */
  private List<String> ensureOwnedObjects(KubernetesClient client, OwnedObjects owned, RunRecorder recorder,
      ContrastiveTrainingRun run, String config) {
    ConfigMap desired = TrainingConfig.configMap(run, config);
    boolean underWay = run.getStatus() != null && run.getStatus().startTime != null;
    Optional<String> gangSpec = underWay
        ? recorder.gangSpec().or(() -> legacyGangSpec(owned, desired)) : Optional.empty();
    List<String> ignored = List.of();
    if (gangSpec.isPresent()) {
      ignored = SpecChanges.changedFields(gangSpec.get(), run.getSpec());
      recorder.gangRuns(gangSpec.get());
    } else {
      owned.ensure(desired);
      recorder.gangRuns(SpecChanges.snapshot(run.getSpec()));
    }
    // Before any pod: a worker is never reachable from outside its run.
    owned.ensure(RunNetworkPolicy.of(run, metricsNamespaces));
    owned.createIfAbsent(Rendezvous.service(run));
    owned.createIfAbsent(RunAccess.serviceAccount(run));
    owned.createIfAbsent(RunAccess.role(run));
    owned.createIfAbsent(RunAccess.roleBinding(run));
    return ignored;
  }

  /**
   * A run under way since before the record kept {@code gangSpec} has its gang's spec only on its
   * config; read once, it goes into the record with the next status written.
   */
  private static Optional<String> legacyGangSpec(OwnedObjects owned, ConfigMap config) {
    Optional<ConfigMap> actual = owned.current(config);
    actual.ifPresent(owned::requireOwned);
    return actual.map(c -> c.getMetadata().getAnnotations()).map(a -> a.get(LEGACY_SPEC_ANNOTATION));
  }

  /** A deleted namesake's objects are on their way out: wait (Pending), and look again soon (no event will come). */
  private static UpdateControl<ContrastiveTrainingRun> awaitPreviousRun(
      RunRecorder recorder, PreviousRunObjectException e, Instant now) {
    recorder.record(Outcome.waiting(Outcome.PREVIOUS_RUN_OBJECTS, e.getMessage()), WorkersStatus.of(0, 0, List.of()), now);
    return UpdateControl.<ContrastiveTrainingRun>noUpdate().rescheduleAfter(PREVIOUS_RUN_RECHECK);
  }

  /**
   * The run needs a name that another owner's object holds: it fails (InvalidSpec, naming the
   * object) and none of its workers run. Left alone until its spec is edited, as a refused config
   * is ({@link #isFinished}).
   */
  private static UpdateControl<ContrastiveTrainingRun> refuse(
      RunRecorder recorder, KubernetesClient client, List<Pod> pods, String message, Instant now) {
    delete(client, pods); // never a partial gang
    recorder.record(Outcome.invalidSpec(message), null, now);
    return UpdateControl.noUpdate();
  }

  /** A finished run: its pods go as cleanPodPolicy says, and the run itself when its TTL is up. */
  private UpdateControl<ContrastiveTrainingRun> finished(
      KubernetesClient client, ContrastiveTrainingRun run, List<Pod> pods, Instant now) {
    delete(client, PodCleanup.toDelete(run, pods));
    Optional<Duration> ttl = LifecyclePolicy.timeToLive(run, now);
    if (ttl.isPresent() && (ttl.get().isZero() || ttl.get().isNegative())) {
      // Owner references let the garbage collector delete everything the run owns.
      client.resource(run).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
      return UpdateControl.noUpdate();
    }
    return ttl.map(UpdateControl.<ContrastiveTrainingRun>noUpdate()::rescheduleAfter).orElseGet(UpdateControl::noUpdate);
  }

  /** Deletes the pods, and ends the Kueue pod groups they belong to (else Kueue holds them). */
  private static void delete(KubernetesClient client, List<Pod> pods) {
    pods.stream().filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
        .forEach(pod -> client.resource(pod).delete());
    KueueWorkloads.release(client, pods);
  }

  /**
   * While the gang runs it keeps its nodes (or, placed by a queue, its size): ranks must not move,
   * and new nodes wait for the next restart.
   */
  private static Optional<World> runningWorld(ContrastiveTrainingRun run) {
    ContrastiveTrainingRunStatus status = run.getStatus();
    if (status == null || status.phase != Phase.Running || status.workers == null) {
      return Optional.empty();
    }
    if (status.workers.nodes != null && !status.workers.nodes.isEmpty()) {
      return Optional.of(World.pinned(status.workers.nodes));
    }
    return placedByQueue(run) && status.workers.desired != null && status.workers.desired > 0
        ? Optional.of(World.unpinned(status.workers.desired)) : Optional.empty();
  }

  /** A queue or batch scheduler admits and places the gang; the operator then neither pins nodes nor counts free GPUs. */
  private static boolean placedByQueue(ContrastiveTrainingRun run) {
    return KueuePodGroup.isUsed(run) || VolcanoPodGroup.isUsed(run);
  }

  /**
   * Queued while Kueue has not admitted the whole gang: a pod not created yet (they are created
   * gated) or one still gated. Says so when Kueue's webhook did not take the pods, which then wait forever.
   */
  private static Optional<Outcome> awaitingAdmission(ContrastiveTrainingRun run, World world, List<Pod> pods) {
    if (pods.size() >= world.size() && pods.stream().noneMatch(KueuePodGroup::isGated)) {
      return Optional.empty();
    }
    String group = pods.stream().map(pod -> pod.getMetadata().getLabels().get(KueuePodGroup.GROUP_NAME_LABEL))
        .filter(java.util.Objects::nonNull).findFirst().map(name -> " (pod group " + name + ")").orElse("");
    String message = "waiting for Kueue to admit the gang of " + world.size() + " pods" + group + " in LocalQueue "
        + KueuePodGroup.queue(run).orElseThrow();
    if (!pods.isEmpty() && pods.stream().noneMatch(KueuePodGroup::isManaged)) {
      message += "; Kueue has not taken the pods (no " + KueuePodGroup.MANAGED_LABEL + " label): enable its pod "
          + "integration (integrations.frameworks: pod) and select namespace " + run.getMetadata().getNamespace()
          + " in managedJobsNamespaceSelector";
    }
    return Optional.of(Outcome.queued(Outcome.AWAITING_ADMISSION, message));
  }

  /**
   * Succeeded and Failed are final, except a run the operator refused before any worker ran (no
   * workers recorded: a config, template or name it cannot use, an object of another owner): that
   * one is final for the spec it refused, so an edit of the spec (a new generation) lets it start.
   * Refusing it again on every event would loop: the refusal's own writes and deletions are events.
   *
   * @param status and {@code finalReason}: the operator's record, never the conditions a trainer may patch
   */
  static boolean isFinished(ContrastiveTrainingRunStatus status, String finalReason, Long generation) {
    if (status == null || status.phase == null || !status.phase.isFinished()) {
      return false;
    }
    boolean refused = status.workers == null
        && (Outcome.INVALID_CONFIG.equals(finalReason) || Outcome.INVALID_SPEC.equals(finalReason));
    return !refused || Objects.equals(status.observedGeneration, generation);
  }

  private String newToken() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
