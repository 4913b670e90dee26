package dev.contrastive.operator.reconcile;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.operator.plan.GpusInUse;
import dev.contrastive.operator.plan.RunNames;
import dev.contrastive.operator.plan.WorldPlanner;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.config.informer.FieldSelector;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a reconcile reads of the cluster, from the operator's informers rather than by asking the
 * API server each time: a burst of runs made every reconcile list every pod of the cluster (for
 * free GPUs) and its own pods, and each of those reads grew with the cluster. Pods this operator
 * creates are put into the cache at once ({@link #created}), so the next reconcile sees them
 * before their watch event comes; a pod it did not see yet is still never created twice (the
 * create is refused with a conflict, {@link OwnedObjects#create}).
 *
 * <p>The run's own objects (its record and config, NetworkPolicy, Service, trainer RBAC) are read
 * here too ({@link #owned}), from informers that select the run label, so they hold the operator's
 * objects only. An object of such a name without the label (someone else's) is not in them: the
 * create it leads to is refused with a conflict, and the object is then read and refused as
 * foreign. The token Secret is not cached: see {@link OwnedObjects#createIfAbsent}.
 */
final class ClusterCache {

  static final String PODS = "worker-pods";
  static final String NODES = "nodes";
  static final String UNFINISHED_PODS = "unfinished-pods";
  /** The kinds of the run's own objects served from informers, each its own event source. */
  static final List<Class<? extends HasMetadata>> OWNED_KINDS = List.of(
      ConfigMap.class, NetworkPolicy.class, Service.class, ServiceAccount.class, Role.class, RoleBinding.class);

  private final InformerEventSource<Pod, ContrastiveTrainingRun> workers;
  private final InformerEventSource<Node, ContrastiveTrainingRun> nodes;
  private final InformerEventSource<Pod, ContrastiveTrainingRun> unfinished;
  private final Map<Class<?>, InformerEventSource<? extends HasMetadata, ContrastiveTrainingRun>> owned =
      new HashMap<>();

  @SuppressWarnings("unchecked")
  ClusterCache(Context<ContrastiveTrainingRun> context) {
    var sources = context.eventSourceRetriever();
    workers = (InformerEventSource<Pod, ContrastiveTrainingRun>) sources.getEventSourceFor(Pod.class, PODS);
    nodes = (InformerEventSource<Node, ContrastiveTrainingRun>) sources.getEventSourceFor(Node.class, NODES);
    unfinished = (InformerEventSource<Pod, ContrastiveTrainingRun>) sources.getEventSourceFor(Pod.class, UNFINISHED_PODS);
    for (Class<? extends HasMetadata> kind : OWNED_KINDS) {
      owned.put(kind, (InformerEventSource<? extends HasMetadata, ContrastiveTrainingRun>)
          sources.getEventSourceFor(kind, ownedSourceName(kind)));
    }
  }

  /** The informers behind the reads, and which runs their events go to. */
  static List<EventSource<?, ContrastiveTrainingRun>> eventSources(EventSourceContext<ContrastiveTrainingRun> context) {
    var workers = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Pod.class, ContrastiveTrainingRun.class)
            .withName(PODS)
            .withLabelSelector(RunNames.RUN_LABEL)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ContrastiveTrainingRun.class))
            .build(),
        context);
    // A node that joins, becomes Ready or gets GPUs may be what a waiting run needs; a running
    // gang hears only of its own nodes.
    var nodes = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Node.class, ContrastiveTrainingRun.class)
            .withName(NODES)
            .withWatchAllNamespaces()
            .withOnUpdateFilter(NodeEvents::changesPlanning)
            .withSecondaryToPrimaryMapper((Node node) -> context.getPrimaryCache()
                .list(run -> NodeEvents.concerns(run, node))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet()))
            .build(),
        context);
    // The GPUs other pods hold, as the scheduler counts them: only bound pods hold any, so pods
    // that wait for a node (a burst of new gangs) are not kept twice in memory. A run waiting for
    // free GPUs looks again on a timer, so these pods' events go to no run.
    var unfinished = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Pod.class, ContrastiveTrainingRun.class)
            .withName(UNFINISHED_PODS)
            .withWatchAllNamespaces()
            .withFieldSelector(new FieldSelector(
                new FieldSelector.Field("spec.nodeName", "", true),
                new FieldSelector.Field("status.phase", "Succeeded", true),
                new FieldSelector.Field("status.phase", "Failed", true)))
            .withSecondaryToPrimaryMapper(pod -> Set.of())
            .build(),
        context);
    List<EventSource<?, ContrastiveTrainingRun>> sources = new ArrayList<>(List.of(workers, nodes, unfinished));
    OWNED_KINDS.forEach(kind -> sources.add(ownedObjects(kind, context)));
    return sources;
  }

  /**
   * The run's objects of one kind. Only a deletion reaches the run (it puts the object back); adds
   * and updates are the operator's own writes, which the next pass reads from the cache anyway.
   */
  private static <R extends HasMetadata> InformerEventSource<R, ContrastiveTrainingRun> ownedObjects(
      Class<R> kind, EventSourceContext<ContrastiveTrainingRun> context) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(kind, ContrastiveTrainingRun.class)
            .withName(ownedSourceName(kind))
            .withLabelSelector(RunNames.RUN_LABEL)
            .withOnAddFilter(object -> false)
            .withOnUpdateFilter((newer, older) -> false)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ContrastiveTrainingRun.class))
            .build(),
        context);
  }

  private static String ownedSourceName(Class<?> kind) {
    return "owned-" + kind.getSimpleName().toLowerCase(java.util.Locale.ROOT);
  }

  /** The cached object of {@code desired}'s kind, namespace and name, if the run label is on it. */
  @SuppressWarnings("unchecked")
  <T extends HasMetadata> Optional<T> owned(T desired) {
    return (Optional<T>) source(desired).get(ResourceID.fromResource(desired));
  }

  /** Records an object this operator just created or updated, so the next reconcile reads it. */
  @SuppressWarnings("unchecked")
  <T extends HasMetadata> void written(ContrastiveTrainingRun run, T written, T previous) {
    var source = (InformerEventSource<T, ContrastiveTrainingRun>) source(written);
    if (previous == null) {
      source.handleRecentResourceCreate(ResourceID.fromResource(run), written);
    } else {
      source.handleRecentResourceUpdate(ResourceID.fromResource(run), written, previous);
    }
  }

  private InformerEventSource<? extends HasMetadata, ContrastiveTrainingRun> source(HasMetadata object) {
    var source = owned.get(object.getClass());
    if (source == null) {
      throw new IllegalArgumentException("no informer for the run's " + object.getKind() + " objects");
    }
    return source;
  }

  /** The worker pods {@code run} controls (a pod of someone else that carries its label is not one). */
  List<Pod> pods(ContrastiveTrainingRun run) {
    return workers.getSecondaryResources(run).stream().filter(pod -> OwnedObjects.isOwned(pod, run)).toList();
  }

  /** A pod of that name in the run's namespace that carries the run label, whoever owns it. */
  Optional<Pod> labelledPod(String namespace, String name) {
    return workers.get(new ResourceID(name, namespace));
  }

  /** Records a pod this operator just created, so the next reconcile counts it. */
  void created(ContrastiveTrainingRun run, Pod pod) {
    workers.handleRecentResourceCreate(ResourceID.fromResource(run), pod);
  }

  List<Node> nodes() {
    return nodes.list(node -> true).toList();
  }

  /** GPUs that other pods hold on each node: bound, unfinished pods of every namespace, except this run's own. */
  Map<String, BigDecimal> gpusInUse(ContrastiveTrainingRun run) {
    if (WorldPlanner.gpusPerNode(run.getSpec()) == 0) {
      return Map.of();
    }
    return GpusInUse.byNode(unfinished.list(pod -> true).toList(), WorldPlanner.gpuResourceName(run.getSpec()),
        pod -> run.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace())
            && pod.getMetadata().getLabels() != null
            && run.getMetadata().getName().equals(pod.getMetadata().getLabels().get(RunNames.RUN_LABEL)));
  }
}
