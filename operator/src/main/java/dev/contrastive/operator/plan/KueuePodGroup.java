package dev.contrastive.operator.plan;

import dev.contrastive.api.ContrastiveTrainingRun;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Kueue's plain-Pod group contract (its {@code pod} integration, {@code integrations.frameworks:
 * [pod]}), followed to the letter. We use it rather than Kueue's suspend contract for custom jobs
 * because that one needs Kueue built or configured with a job reconciler for our kind (an
 * external framework that creates and follows Workload objects itself); the pod-group contract
 * works with a stock Kueue and admits exactly what we have, a gang of pods:
 *
 * <ul>
 *   <li>every worker pod carries the run's {@code kueue.x-k8s.io/queue-name} (a LocalQueue), the
 *       group's name as label {@code kueue.x-k8s.io/pod-group-name} and the gang's size as
 *       annotation {@code kueue.x-k8s.io/pod-group-total-count}: Kueue makes one Workload of them
 *       (named after the group) and admits all or none;
 *   <li>pods are created with the scheduling gate {@code kueue.x-k8s.io/admission}, which Kueue's
 *       webhook would add anyway (it also adds the {@code kueue.x-k8s.io/managed} label and a
 *       finalizer); so no worker can start before admission even where the webhook did not take
 *       the pod. Kueue removes the gate from every pod of the group when it admits the Workload;
 *   <li>{@code kueue.x-k8s.io/retriable-in-group: "false"}: the operator, not Kueue, replaces
 *       failed workers (a gang restart). A group whose pods have all ended is then finished, so
 *       Kueue releases its quota and pod finalizers, and the next gang is a new group queued anew
 *       (a fresh group name per attempt: Kueue never reuses a finished Workload);
 *   <li>when Kueue stops the gang (preemption, eviction) it sets the pod condition
 *       {@code TerminationTarget} (reason {@code WorkloadEvicted}, ...) and deletes the pods;
 *   <li>a group the operator gives up is ended by deleting its Workload ({@code KueueWorkloads}):
 *       Kueue's own advice for ending a pod group, since it keeps deleted pods that could still be
 *       replaced (and a deleted pod that never ran never ends).
 * </ul>
 */
public final class KueuePodGroup {

  public static final String QUEUE_LABEL = "kueue.x-k8s.io/queue-name";
  public static final String GROUP_NAME_LABEL = "kueue.x-k8s.io/pod-group-name";
  public static final String GROUP_TOTAL_COUNT_ANNOTATION = "kueue.x-k8s.io/pod-group-total-count";
  public static final String RETRIABLE_IN_GROUP_ANNOTATION = "kueue.x-k8s.io/retriable-in-group";
  public static final String ADMISSION_GATE = "kueue.x-k8s.io/admission";
  /** Set by Kueue's pod webhook on the pods it manages. */
  public static final String MANAGED_LABEL = "kueue.x-k8s.io/managed";
  /** The pod condition Kueue sets before it deletes the pods of a Workload it stops. */
  public static final String STOPPED_CONDITION = "TerminationTarget";
  /** Its reason when the Workload was deleted: the operator ending a gang it gave up, not a preemption. */
  public static final String WORKLOAD_DELETED = "WorkloadDeleted";
  /** Longest group name: it is a label value (63) and the Workload's name. */
  private static final int MAX_NAME = 63;
  private static final SecureRandom RANDOM = new SecureRandom();

  private KueuePodGroup() {}

  /**
   * The LocalQueue the run names with the label {@code kueue.x-k8s.io/queue-name}, on the run or in
   * spec.template.metadata.labels (the pod merge refuses two different values); empty: no Kueue.
   */
  public static Optional<String> queue(ContrastiveTrainingRun run) {
    Map<String, String> labels = run.getMetadata().getLabels();
    var template = run.getSpec().template;
    Map<String, String> templateLabels = template == null || template.getMetadata() == null
        ? null : template.getMetadata().getLabels();
    return Optional.ofNullable(labels == null ? null : labels.get(QUEUE_LABEL))
        .or(() -> Optional.ofNullable(templateLabels == null ? null : templateLabels.get(QUEUE_LABEL)))
        .filter(q -> !q.isBlank());
  }

  public static boolean isUsed(ContrastiveTrainingRun run) {
    return queue(run).isPresent();
  }

  /**
   * The group of the current gang: the name its live pods carry, or a new one when none is left (a
   * new gang, or the last one was stopped), so a gang is never added to a finished Workload.
   */
  public static String groupName(ContrastiveTrainingRun run, Collection<Pod> gangPods) {
    return gangPods.stream()
        .map(pod -> pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(GROUP_NAME_LABEL))
        .filter(name -> name != null && !name.isBlank())
        .findFirst()
        .orElseGet(() -> newGroupName(run));
  }

  static String newGroupName(ContrastiveTrainingRun run) {
    byte[] bytes = new byte[4];
    RANDOM.nextBytes(bytes);
    String suffix = "-" + HexFormat.of().formatHex(bytes);
    String prefix = run.getMetadata().getName();
    prefix = prefix.substring(0, Math.min(prefix.length(), MAX_NAME - suffix.length()));
    // A label value and a Workload name must end alphanumeric; a cut name may end in '-' or '.'.
    return prefix.replaceAll("[-.]+$", "") + suffix;
  }

  /** Puts a worker pod of a gang of {@code size} pods into Kueue's group {@code group}, gated until admission. */
  public static Pod member(Pod pod, ContrastiveTrainingRun run, String group, int size) {
    Map<String, String> labels = new LinkedHashMap<>(
        pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels());
    labels.put(QUEUE_LABEL, queue(run).orElseThrow());
    labels.put(GROUP_NAME_LABEL, group);
    pod.getMetadata().setLabels(labels);
    Map<String, String> annotations = new LinkedHashMap<>(
        pod.getMetadata().getAnnotations() == null ? Map.of() : pod.getMetadata().getAnnotations());
    annotations.put(GROUP_TOTAL_COUNT_ANNOTATION, Integer.toString(size));
    annotations.put(RETRIABLE_IN_GROUP_ANNOTATION, "false");
    pod.getMetadata().setAnnotations(annotations);
    List<PodSchedulingGate> gates = new ArrayList<>(
        pod.getSpec().getSchedulingGates() == null ? List.of() : pod.getSpec().getSchedulingGates());
    if (gates.stream().noneMatch(gate -> ADMISSION_GATE.equals(gate.getName()))) {
      gates.add(new PodSchedulingGate(ADMISSION_GATE));
    }
    pod.getSpec().setSchedulingGates(gates);
    return pod;
  }

  /** Whether Kueue still holds the pod (it has not admitted its group). */
  public static boolean isGated(Pod pod) {
    return pod.getSpec() != null && pod.getSpec().getSchedulingGates() != null
        && pod.getSpec().getSchedulingGates().stream().anyMatch(gate -> ADMISSION_GATE.equals(gate.getName()));
  }

  /** Whether Kueue's webhook took the pod (without it no Workload is made and the gate stays). */
  public static boolean isManaged(Pod pod) {
    return pod.getMetadata().getLabels() != null && "true".equals(pod.getMetadata().getLabels().get(MANAGED_LABEL));
  }

  /** The condition Kueue set on a pod it stopped (preempted, evicted), if any. */
  public static Optional<PodCondition> stopped(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getConditions() == null ? Optional.empty()
        : pod.getStatus().getConditions().stream()
            .filter(c -> STOPPED_CONDITION.equals(c.getType()) && "True".equals(c.getStatus()))
            .findFirst();
  }
}
