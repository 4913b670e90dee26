package dev.contrastive.operator.reconcile;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.naming.RunName;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.api.status.WorkersStatus;
import dev.contrastive.operator.observe.GangState;
import dev.contrastive.operator.observe.PodObserver;
import dev.contrastive.operator.lifecycle.Decision;
import dev.contrastive.operator.lifecycle.LifecyclePolicy;
import dev.contrastive.operator.lifecycle.PodCleanup;
import dev.contrastive.operator.lifecycle.SpecChanges;
import dev.contrastive.operator.plan.Gang;
import dev.contrastive.operator.plan.KueuePodGroup;
import dev.contrastive.operator.plan.Rendezvous;
import dev.contrastive.operator.plan.ResolvedRun;
import dev.contrastive.operator.plan.RunAccess;
import dev.contrastive.operator.plan.RunNames;
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
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
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
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Glue only: reads the run, its pods and the nodes, asks the planner for the world and the desired
 * objects, makes them exist, asks the observer what the pods show, and records status.
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
@RBACRule(apiGroups = "", resources = "configmaps", verbs = {"get", "create", "update"})
@RBACRule(apiGroups = "", resources = {"services", "serviceaccounts"}, verbs = {"get", "create"})
@RBACRule(apiGroups = "", resources = "secrets", verbs = {"get", "create"})
@RBACRule(apiGroups = "rbac.authorization.k8s.io", resources = {"roles", "rolebindings"}, verbs = {"get", "create"})
@RBACRule(apiGroups = "", resources = "events", verbs = {"get", "create", "patch"})
@RBACRule(apiGroups = "networking.k8s.io", resources = "networkpolicies", verbs = {"get", "create", "update"})
@RBACRule(apiGroups = "", resources = "nodes", verbs = {"list", "watch"})
@RBACRule(apiGroups = "scheduling.volcano.sh", resources = "podgroups", verbs = {"get", "create", "update"})
@RBACRule(apiGroups = "kueue.x-k8s.io", resources = "workloads", verbs = "delete")
public class ContrastiveTrainingRunReconciler implements Reconciler<ContrastiveTrainingRun> {

  /** Setting: namespaces whose pods may reach the workers' metrics ports (comma-separated; unset: any). */
  public static final String METRICS_NAMESPACES = "contrastive.operator.metrics-namespaces";
  /** On the config map: the spec the run started with, to tell which fields an edit changed. */
  static final String SPEC_ANNOTATION = "contrastive.dev/spec";
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

  private UpdateControl<ContrastiveTrainingRun> reconcileRun(
      ContrastiveTrainingRun cached, Context<ContrastiveTrainingRun> context) {
    KubernetesClient client = context.getClient();
    // Read fresh: the cache may not hold our last status patch yet, and acting on an old restart
    // count would restart a gang twice.
    ContrastiveTrainingRun run = client.resource(cached).get();
    if (run == null) {
      return UpdateControl.noUpdate();
    }
    Instant now = clock.instant();
    ClusterCache cache = new ClusterCache(context);
    // Only pods this run controls: a pod of someone else that carries the run's label is neither
    // counted nor deleted.
    List<Pod> pods = cache.pods(run);
    // The CRD's schema refuses such names; an older CRD (or none, in tests) may not. Nothing is
    // created under a name its workers could not carry, not even the record.
    Optional<String> badName = RunName.problem(run.getMetadata().getName());
    if (badName.isPresent()) {
      return refuse(RunRecorder.displayOnly(client, run, fieldManager, metrics), client, pods, badName.get(), now);
    }
    OwnedObjects owned = new OwnedObjects(client, run);
    // From here on run.getStatus() is the operator's own record, not what trainers may have patched.
    RunRecorder recorder;
    try {
      recorder = RunRecorder.load(client, run, owned, fieldManager, metrics);
    } catch (ForeignObjectException | IllegalArgumentException e) {
      return refuse(RunRecorder.displayOnly(client, run, fieldManager, metrics), client, pods, e.getMessage(), now);
    } catch (PreviousRunObjectException e) {
      return awaitPreviousRun(RunRecorder.displayOnly(client, run, fieldManager, metrics), e, now);
    }
    if (isFinished(run.getStatus(), run.getMetadata().getGeneration())) {
      recorder.repairDisplay();
      return finished(client, run, pods, now);
    }
    String config;
    try {
      // From here on run.getSpec() is the resolved spec: the operator plans what the trainer builds.
      config = TrainingConfig.yaml(ResolvedRun.resolveInPlace(run));
    } catch (InvalidConfigException e) {
      recorder.record(Outcome.invalidConfig(e.getMessage()), null, now);
      return UpdateControl.noUpdate();
    }
    try {
      WorkerPods.checkTemplate(run);
    } catch (InvalidConfigException e) {
      recorder.record(Outcome.invalidSpec(e.getMessage()), null, now);
      return UpdateControl.noUpdate();
    }
    if (LifecyclePolicy.isSuspended(run)) {
      delete(client, pods);
      recorder.record(Outcome.suspended(), WorkersStatus.of(0, 0, List.of()), now);
      return UpdateControl.noUpdate();
    }
    List<String> ignoredChanges;
    try {
      ignoredChanges = ensureOwnedObjects(client, owned, run, config);
    } catch (ForeignObjectException e) {
      return refuse(recorder, client, pods, e.getMessage(), now);
    } catch (PreviousRunObjectException e) {
      return awaitPreviousRun(recorder, e, now);
    }

    List<Node> nodes = cache.nodes();
    boolean placedByQueue = placedByQueue(run);
    WorldPlan plan = runningWorld(run)
        .map(WorldPlan::of)
        .orElseGet(() -> placedByQueue ? WorldPlanner.planForQueue(run.getSpec(), nodes)
            : WorldPlanner.plan(run.getSpec(), nodes, cache.gpusInUse(run)));
    if (plan.world().isEmpty()) {
      delete(client, pods); // never a partial gang
      recorder.record(Outcome.waiting(plan.reason(), plan.message()), WorkersStatus.of(0, 0, List.of()), now);
      // Other pods releasing GPUs send this run no event: look again.
      return WorldPlanner.NOT_ENOUGH_FREE_GPUS.equals(plan.reason())
          ? UpdateControl.<ContrastiveTrainingRun>noUpdate().rescheduleAfter(FREE_GPU_RECHECK)
          : UpdateControl.noUpdate();
    }
    World world = plan.world().get();
    int worldSize = WorkerPods.worldSize(run.getSpec(), world);
    WorkersStatus planned = WorkersStatus.of(world.size(), 0, world.nodes(), worldSize);

    if (KueuePodGroup.isUsed(run)) {
      Optional<PodCondition> stopped = pods.stream().map(KueuePodGroup::stopped).flatMap(Optional::stream)
          .filter(condition -> !KueuePodGroup.WORKLOAD_DELETED.equals(condition.getReason())).findFirst();
      if (stopped.isPresent()) {
        // Kueue deletes the pods itself; a pod it has not reached yet must not go on training alone.
        delete(client, pods);
        recorder.record(Outcome.queued(Outcome.EVICTED_BY_KUEUE, "Kueue stopped the gang ("
            + stopped.get().getReason() + (stopped.get().getMessage() == null ? "" : ": " + stopped.get().getMessage())
            + "); it waits for admission again and restarts from its last checkpoint, not counted against "
            + "spec.runPolicy.backoffLimit"), planned, now);
        return UpdateControl.noUpdate();
      }
    }
    String gang = Gang.id(run, world);
    List<Pod> previous = pods.stream().filter(pod -> !Gang.isMember(pod, gang)).toList();
    if (!previous.isEmpty()) {
      delete(client, previous);
      recorder.record(Outcome.waiting("PreviousGangTerminating", previous.size()
          + " worker pods of the previous gang are terminating; the new gang starts when they are gone"), planned, now);
      return UpdateControl.noUpdate();
    }
    Set<String> readyNodes = nodes.stream().filter(WorldPlanner::isReady)
        .map(node -> node.getMetadata().getName()).collect(Collectors.toSet());
    Decision decision = LifecyclePolicy.decide(run, world, pods, readyNodes, now);
    if (decision instanceof Decision.RestartGang restart) {
      ContrastiveTrainingRunStatus next = StatusCalculator.restarted(
          recorder.next(Outcome.waiting(Outcome.WORKER_FAILED, restart.message()), planned, now),
          Outcome.WORKER_FAILED, restart.message(), now);
      recorder.write(next, Outcome.waiting(Outcome.WORKER_FAILED, restart.message()), now, true);
      metrics.gangRestarted(restart.failure());
      delete(client, pods);
      return UpdateControl.noUpdate();
    }
    if (decision instanceof Decision.Fail fail) {
      run.setStatus(recorder.record(fail.outcome(), planned, now));
      return finished(client, run, pods, now);
    }
    Decision.Proceed proceed = (Decision.Proceed) decision;
    Outcome outcome = KueuePodGroup.isUsed(run) ? awaitingAdmission(run, world, pods).orElse(proceed.outcome())
        : proceed.outcome();
    if (VolcanoPodGroup.isUsed(run) && !owned.ensureSpec(VolcanoPodGroup.CONTEXT, VolcanoPodGroup.of(run, world))) {
      recorder.record(Outcome.waiting(VOLCANO_MISSING, "spec.schedulerName is volcano but the cluster serves no "
          + VolcanoPodGroup.API_VERSION + " PodGroup: install Volcano, or set another scheduler; looking again every "
          + API_RECHECK.toSeconds() + "s"), planned, now);
      return UpdateControl.<ContrastiveTrainingRun>noUpdate().rescheduleAfter(API_RECHECK);
    }
    Set<String> existing = pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    List<Pod> created = new ArrayList<>();
    try {
      String kueueGroup = KueuePodGroup.isUsed(run) ? KueuePodGroup.groupName(run, pods) : null;
      List<Pod> missing = WorkerPods.pods(run, world).stream()
          .filter(pod -> !existing.contains(pod.getMetadata().getName()))
          .map(pod -> kueueGroup == null ? pod : KueuePodGroup.member(pod, run, kueueGroup, world.size()))
          .toList();
      // Every name is looked at (among the pods that carry the run label) before any pod is made: a
      // gang that cannot be whole creates nothing. An unlabelled pod of a worker's name shows up as
      // the create's conflict, and the pods made before it go again.
      missing.forEach(pod -> cache.labelledPod(pod.getMetadata().getNamespace(), pod.getMetadata().getName())
          .ifPresent(owned::requireOwned));
      for (Pod pod : missing) {
        owned.create(pod).map(Pod.class::cast).ifPresent(made -> {
          created.add(made);
          cache.created(run, made);
        });
      }
    } catch (ForeignObjectException e) {
      // A pod of a worker's name that is not this run's: the gang can never be whole.
      return refuse(recorder, client, Stream.concat(pods.stream(), created.stream()).toList(), e.getMessage(), now);
    } catch (PreviousRunObjectException e) {
      return awaitPreviousRun(recorder, e, now);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HTTP_UNPROCESSABLE || run.getSpec().template == null) {
        throw e;
      }
      // What the operator's checks did not see, the API server refused: no partial gang stays.
      delete(client, client.pods().inNamespace(run.getMetadata().getNamespace())
          .withLabel(RunNames.RUN_LABEL, run.getMetadata().getName()).list().getItems().stream()
          .filter(pod -> OwnedObjects.isOwned(pod, run)).toList());
      recorder.record(Outcome.invalidSpec("spec.template: the API server refused the worker pod: "
          + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage())),
          null, now);
      return UpdateControl.noUpdate();
    }
    GangState observed = PodObserver.observe(pods, world.size());
    ContrastiveTrainingRunStatus next = recorder.next(outcome,
        WorkersStatus.of(world.size(), observed.ready(), world.nodes(), worldSize), now);
    // Said only once an edit was held back, and then kept (True again once the edit is reverted).
    if (!ignoredChanges.isEmpty() || next.conditions.stream().anyMatch(c -> StatusCalculator.SPEC_APPLIED.equals(c.getType()))) {
      next = StatusCalculator.specApplied(next, ignoredChanges.isEmpty(),
          ignoredChanges.isEmpty() ? "SpecApplied" : SPEC_CHANGE_IGNORED,
          ignoredChanges.isEmpty() ? "the workers run the spec as it is"
              : String.join(", ", ignoredChanges) + " changed while the run is under way; training fields are "
                  + "fixed for the whole run (only spec.runPolicy may change): revert the edit, or create a new run",
          now);
    }
    recorder.write(next, outcome, now, false);
    if (next.phase.isFinished()) {
      run.setStatus(next);
      return finished(client, run, pods, now);
    }
    return proceed.recheckAfter().map(UpdateControl.<ContrastiveTrainingRun>noUpdate()::rescheduleAfter)
        .orElseGet(UpdateControl::noUpdate);
  }

  /**
   * Config, NetworkPolicy, Service, trainer RBAC and token exist; returns the spec fields whose edit is ignored
   * because the run is under way (its config is then left as the gang started with it).
   */
  private List<String> ensureOwnedObjects(KubernetesClient client, OwnedObjects owned, ContrastiveTrainingRun run,
      String config) {
    ConfigMap desired = TrainingConfig.configMap(run, config);
    desired.getMetadata().setAnnotations(Map.of(SPEC_ANNOTATION, SpecChanges.snapshot(run.getSpec())));
    List<String> ignored = List.of();
    boolean underWay = run.getStatus() != null && run.getStatus().startTime != null;
    ConfigMap actual = underWay ? client.resource(desired).get() : null;
    if (actual != null) {
      owned.requireOwned(actual);
    }
    if (actual != null && actual.getMetadata().getAnnotations() != null
        && actual.getMetadata().getAnnotations().containsKey(SPEC_ANNOTATION)) {
      ignored = SpecChanges.changedFields(actual.getMetadata().getAnnotations().get(SPEC_ANNOTATION), run.getSpec());
    } else {
      owned.ensure(desired);
    }
    // Before any pod: a worker is never reachable from outside its run.
    owned.ensure(RunNetworkPolicy.of(run, metricsNamespaces));
    owned.createIfAbsent(Rendezvous.service(run));
    owned.createIfAbsent(RunAccess.serviceAccount(run));
    owned.createIfAbsent(RunAccess.role(run));
    owned.createIfAbsent(RunAccess.roleBinding(run));
    owned.createIfAbsent(Rendezvous.tokenSecret(run, newToken()));
    return ignored;
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
   */
  static boolean isFinished(ContrastiveTrainingRunStatus status, Long generation) {
    if (status == null || status.phase == null || !status.phase.isFinished()) {
      return false;
    }
    boolean refused = status.workers == null && status.conditions.stream()
        .anyMatch(c -> Outcome.INVALID_CONFIG.equals(c.getReason()) || Outcome.INVALID_SPEC.equals(c.getReason()));
    return !refused || Objects.equals(status.observedGeneration, generation);
  }

  private String newToken() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
