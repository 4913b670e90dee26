package dev.contrastive.operator.plan;

import dev.contrastive.api.ContrastiveTrainingRun;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Volcano's gang contract (scheduling.volcano.sh/v1beta1 PodGroup): with {@code schedulerName:
 * volcano} the operator creates one PodGroup per run and annotates every worker pod with its name
 * ({@code scheduling.k8s.io/group-name}), as Volcano's own Job controller does. Volcano then binds
 * none of the pods until {@code minMember} of them (the whole gang) fit, and enqueues the group
 * only when its queue has room for {@code minResources}.
 */
public final class VolcanoPodGroup {

  public static final String SCHEDULER = "volcano";
  public static final String API_VERSION = "scheduling.volcano.sh/v1beta1";
  public static final String KIND = "PodGroup";
  public static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
      .withGroup("scheduling.volcano.sh").withVersion("v1beta1").withKind(KIND).withPlural("podgroups")
      .withNamespaced(true).build();
  /** On a pod: the PodGroup it belongs to (Volcano's KubeGroupNameAnnotationKey). */
  public static final String GROUP_NAME_ANNOTATION = "scheduling.k8s.io/group-name";
  /** On the run (annotation or label): the Volcano queue, as Volcano reads it from pods. */
  public static final String QUEUE_KEY = "scheduling.volcano.sh/queue-name";

  private VolcanoPodGroup() {}

  /** Whether the worker pods, template merged, go to Volcano's scheduler. */
  public static boolean isUsed(ContrastiveTrainingRun run) {
    return SCHEDULER.equals(WorkerPods.schedulerName(run));
  }

  public static String name(ContrastiveTrainingRun run) {
    return run.getMetadata().getName() + "-gang";
  }

  /** The queue named on the run (annotation first, then label); empty leaves it to Volcano ({@code default}). */
  public static Optional<String> queue(ContrastiveTrainingRun run) {
    Map<String, String> annotations = run.getMetadata().getAnnotations();
    Map<String, String> labels = run.getMetadata().getLabels();
    return Optional.ofNullable(annotations == null ? null : annotations.get(QUEUE_KEY))
        .or(() -> Optional.ofNullable(labels == null ? null : labels.get(QUEUE_KEY)))
        .filter(queue -> !queue.isBlank());
  }

  /**
   * The run's PodGroup: minMember is every worker pod (a data-parallel gang is useless short of
   * one), minResources what they request together, and the pods' priority class and the run's queue.
   */
  public static GenericKubernetesResource of(ContrastiveTrainingRun run, World world) {
    Pod pod = WorkerPods.pod(run, world, 0);
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("minMember", world.size());
    spec.put("minResources", minResources(pod, world.size()));
    queue(run).ifPresent(queue -> spec.put("queue", queue));
    Optional.ofNullable(pod.getSpec().getPriorityClassName()).ifPresent(p -> spec.put("priorityClassName", p));
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(API_VERSION)
        .withKind(KIND)
        .withMetadata(Owned.meta(run, name(run)).build())
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }

  /** Marks a worker pod as a member of the run's PodGroup. */
  static Pod member(Pod pod, ContrastiveTrainingRun run) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations() == null
        ? new LinkedHashMap<>() : new LinkedHashMap<>(pod.getMetadata().getAnnotations());
    annotations.put(GROUP_NAME_ANNOTATION, name(run));
    pod.getMetadata().setAnnotations(annotations);
    return pod;
  }

  /** Requests of all the pod's containers, times the gang's pods (Quantity strings, sorted by resource). */
  private static Map<String, String> minResources(Pod pod, int pods) {
    Map<String, BigDecimal> sum = new TreeMap<>();
    for (Container container : pod.getSpec().getContainers()) {
      Map<String, Quantity> requests = container.getResources() == null ? null : container.getResources().getRequests();
      if (requests != null) {
        requests.forEach((resource, amount) -> sum.merge(resource, amount.getNumericalAmount(), BigDecimal::add));
      }
    }
    Map<String, String> total = new TreeMap<>();
    sum.forEach((resource, amount) ->
        total.put(resource, amount.multiply(BigDecimal.valueOf(pods)).stripTrailingZeros().toPlainString()));
    return total;
  }
}
