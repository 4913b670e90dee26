package dev.contrastive.operator.reconcile;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.api.status.WorkersStatus;
import dev.contrastive.operator.observe.GangState;
import dev.contrastive.operator.observe.PodObserver;
import dev.contrastive.operator.plan.Rendezvous;
import dev.contrastive.operator.plan.RunAccess;
import dev.contrastive.operator.plan.RunNames;
import dev.contrastive.operator.plan.TrainingConfig;
import dev.contrastive.operator.plan.WorkerPods;
import dev.contrastive.operator.plan.World;
import dev.contrastive.operator.plan.WorldPlan;
import dev.contrastive.operator.plan.WorldPlanner;
import dev.contrastive.operator.status.Outcome;
import dev.contrastive.operator.status.PhaseEvents;
import dev.contrastive.operator.status.StatusCalculator;
import dev.contrastive.operator.status.StatusPatcher;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Glue only: reads the run, its pods and the nodes, asks the planner for the world and the desired
 * objects, makes them exist, asks the observer what the pods show, and records status.
 */
@ControllerConfiguration(name = "contrastivetrainingrun", fieldManager = StatusPatcher.FIELD_MANAGER)
@RBACRule(apiGroups = "", resources = {"pods", "services", "configmaps", "secrets", "serviceaccounts"},
    verbs = {"get", "list", "watch", "create", "update", "patch", "delete"})
@RBACRule(apiGroups = "rbac.authorization.k8s.io", resources = {"roles", "rolebindings"},
    verbs = {"get", "list", "watch", "create", "update", "patch", "delete"})
@RBACRule(apiGroups = "", resources = "events", verbs = {"create", "patch"})
@RBACRule(apiGroups = "", resources = "nodes", verbs = {"get", "list", "watch"})
// The operator grants these to each run's trainer, so it must hold them itself (RBAC escalation check).
@RBACRule(apiGroups = ContrastiveTrainingRun.GROUP, resources = "contrastivetrainingruns/status",
    verbs = {"get", "patch", "update"})
public class ContrastiveTrainingRunReconciler implements Reconciler<ContrastiveTrainingRun> {

  static final String PODS = "worker-pods";
  static final String NODES = "nodes";

  private final SecureRandom random = new SecureRandom();
  private final Clock clock = Clock.systemUTC();
  private final String fieldManager;

  public ContrastiveTrainingRunReconciler() {
    this(Optional.of(StatusPatcher.FIELD_MANAGER));
  }

  /**
   * @param fieldManager of status patches; empty sends none, for the Fabric8 mock server, which
   *     drops a status patch that names one
   */
  @Inject
  public ContrastiveTrainingRunReconciler(
      @ConfigProperty(name = "contrastive.operator.status-field-manager") Optional<String> fieldManager) {
    this.fieldManager = fieldManager.orElse(null);
  }

  @Override
  public List<EventSource<?, ContrastiveTrainingRun>> prepareEventSources(
      EventSourceContext<ContrastiveTrainingRun> context) {
    var pods = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Pod.class, ContrastiveTrainingRun.class)
            .withName(PODS)
            .withLabelSelector(RunNames.RUN_LABEL)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ContrastiveTrainingRun.class))
            .build(),
        context);
    // A node that joins, becomes Ready or gets GPUs may be what a waiting run needs.
    var nodes = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Node.class, ContrastiveTrainingRun.class)
            .withName(NODES)
            .withWatchAllNamespaces()
            .withSecondaryToPrimaryMapper((Node node) -> context.getPrimaryCache()
                .list(ContrastiveTrainingRunReconciler::waitsForWorld)
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet()))
            .build(),
        context);
    return List.of(pods, nodes);
  }

  @Override
  public UpdateControl<ContrastiveTrainingRun> reconcile(
      ContrastiveTrainingRun run, Context<ContrastiveTrainingRun> context) {
    ContrastiveTrainingRunStatus current = run.getStatus();
    if (isFinished(current)) {
      return UpdateControl.noUpdate();
    }
    KubernetesClient client = context.getClient();
    String config;
    try {
      config = TrainingConfig.resolvedYaml(run);
    } catch (InvalidConfigException e) {
      record(client, run, Outcome.invalidConfig(e.getMessage()), null);
      return UpdateControl.noUpdate();
    }
    WorldPlan plan = recordedWorld(current)
        .map(WorldPlan::of)
        .orElseGet(() -> WorldPlanner.plan(run.getSpec(), nodes(context)));
    if (plan.world().isEmpty()) {
      record(client, run, Outcome.waiting(plan.reason(), plan.message()), WorkersStatus.of(0, 0, List.of()));
      return UpdateControl.noUpdate();
    }
    World world = plan.world().get();

    OwnedObjects owned = new OwnedObjects(client);
    owned.ensure(TrainingConfig.configMap(run, config));
    owned.createIfAbsent(Rendezvous.service(run));
    owned.createIfAbsent(RunAccess.serviceAccount(run));
    owned.createIfAbsent(RunAccess.role(run));
    owned.createIfAbsent(RunAccess.roleBinding(run));
    if (client.secrets().inNamespace(run.getMetadata().getNamespace()).withName(RunNames.tokenSecret(run)).get() == null) {
      owned.create(Rendezvous.tokenSecret(run, newToken()));
    }
    // Read fresh rather than from the informer: a pod created a moment ago must not be created twice.
    List<Pod> pods = client.pods().inNamespace(run.getMetadata().getNamespace())
        .withLabel(RunNames.RUN_LABEL, run.getMetadata().getName()).list().getItems();
    Set<String> existing = pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    WorkerPods.pods(run, world).stream()
        .filter(pod -> !existing.contains(pod.getMetadata().getName()))
        .forEach(owned::create);

    GangState gang = PodObserver.observe(pods, world.size());
    record(client, run, Outcome.of(gang), WorkersStatus.of(world.size(), gang.ready(), world.nodes()));
    return UpdateControl.noUpdate();
  }

  /** Records status first-hand (JSON Patch, own field manager) and an Event when the phase changes. */
  private void record(KubernetesClient client, ContrastiveTrainingRun run, Outcome outcome, WorkersStatus workers) {
    ContrastiveTrainingRunStatus current = run.getStatus();
    ContrastiveTrainingRunStatus next = StatusCalculator.next(
        current, run.getMetadata().getGeneration(), outcome, workers, clock.instant());
    if (StatusPatcher.differs(current, next)) {
      StatusPatcher.patch(client, run, current, next, fieldManager);
    }
    if (current == null || current.phase != next.phase) {
      PhaseEvents.emit(client, run, outcome, clock.instant());
    }
  }

  /** Once planned, the gang keeps its nodes: ranks must not move while workers run. */
  private static Optional<World> recordedWorld(ContrastiveTrainingRunStatus status) {
    if (status == null || status.workers == null || status.workers.nodes == null || status.workers.nodes.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(World.pinned(status.workers.nodes));
  }

  @SuppressWarnings("unchecked")
  private static List<Node> nodes(Context<ContrastiveTrainingRun> context) {
    var source = (InformerEventSource<Node, ContrastiveTrainingRun>)
        context.eventSourceRetriever().getEventSourceFor(Node.class, NODES);
    return source.list(node -> true).toList();
  }

  private static boolean waitsForWorld(ContrastiveTrainingRun run) {
    return run.getStatus() == null || run.getStatus().phase == null || run.getStatus().phase == Phase.Pending;
  }

  /**
   * Succeeded and Failed are final, except a refused config: fixing the spec must let it start.
   */
  private static boolean isFinished(ContrastiveTrainingRunStatus status) {
    return status != null && status.phase != null && status.phase.isFinished()
        && status.conditions.stream().noneMatch(c -> Outcome.INVALID_CONFIG.equals(c.getReason()));
  }

  private String newToken() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
