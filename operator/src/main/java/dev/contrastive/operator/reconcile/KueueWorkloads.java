package dev.contrastive.operator.reconcile;

import dev.contrastive.operator.plan.KueuePodGroup;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.HttpURLConnection;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Lets Kueue go of a gang the operator gives up (restart, preemption, a new plan, suspension).
 * Kueue keeps its finalizer on deleted pods of a group that may still be replaced, and a deleted
 * pod that never ran stays Pending, so such a group never ends by itself; deleting its Workload
 * is Kueue's documented way to end a pod group: Kueue then stops and finalizes the remaining pods
 * and releases the quota.
 */
final class KueueWorkloads {

  /** Newest first; v1beta1 for Kueue releases before v1beta2. */
  private static final List<ResourceDefinitionContext> VERSIONS = List.of("v1beta2", "v1beta1").stream()
      .map(version -> new ResourceDefinitionContext.Builder().withGroup("kueue.x-k8s.io").withVersion(version)
          .withKind("Workload").withPlural("workloads").withNamespaced(true).build())
      .toList();

  private KueueWorkloads() {}

  /** Deletes the Workloads of the pod groups these pods belong to; nothing where there is no Kueue. */
  static void release(KubernetesClient client, Collection<Pod> pods) {
    Set<List<String>> groups = pods.stream()
        .filter(pod -> pod.getMetadata().getLabels() != null)
        .map(pod -> {
          String group = pod.getMetadata().getLabels().get(KueuePodGroup.GROUP_NAME_LABEL);
          return group == null ? null : List.of(pod.getMetadata().getNamespace(), group);
        })
        .filter(Objects::nonNull)
        .collect(Collectors.toSet());
    groups.forEach(group -> delete(client, group.get(0), group.get(1)));
  }

  private static void delete(KubernetesClient client, String namespace, String name) {
    // A missing Workload and a version the cluster does not serve both answer 404 (an empty list).
    for (ResourceDefinitionContext version : VERSIONS) {
      try {
        if (!client.genericKubernetesResources(version).inNamespace(namespace).withName(name).delete().isEmpty()) {
          return;
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
          throw e;
        }
      }
    }
  }
}
