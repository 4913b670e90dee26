package dev.contrastive.operator.reconcile;

import dev.contrastive.api.ContrastiveTrainingRun;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.HttpURLConnection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Makes the run's objects exist without touching those already right, so a reconcile is
 * idempotent. An object of the same name that this run does not control is never used nor
 * changed ({@link ForeignObjectException}): a run named {@code build} must not run with the token
 * of someone's {@code build-trainer} ServiceAccount, nor overwrite a {@code build-config} ConfigMap.
 * What exists is read from the operator's informers ({@link ClusterCache#owned}), except Secrets.
 */
final class OwnedObjects {

  private final KubernetesClient client;
  private final ContrastiveTrainingRun run;
  private final ClusterCache cache;

  OwnedObjects(KubernetesClient client, ContrastiveTrainingRun run, ClusterCache cache) {
    this.client = client;
    this.run = run;
    this.cache = cache;
  }

  /** True when {@code run} is the controlling owner of {@code object} (same uid). */
  static boolean isOwned(HasMetadata object, ContrastiveTrainingRun run) {
    return controller(object).map(ref -> Objects.equals(ref.getUid(), run.getMetadata().getUid())).orElse(false);
  }

  /**
   * Creates {@code desired} unless an object of that name exists, which must be this run's (its
   * content is kept). A Secret is read from the API server by name: an informer would need list
   * and watch on every Secret of the cluster (RBAC cannot narrow those to a label), and the token
   * is needed only when a pod is about to be created (docs/security.md).
   */
  void createIfAbsent(HasMetadata desired) {
    HasMetadata actual = current(desired).orElse(null);
    if (actual == null) {
      create(desired);
    } else {
      requireOwned(actual);
    }
  }

  /**
   * Creates without reading first. An existing object of that name is fine when it is this run's
   * (a stale read said it was missing), and refused otherwise.
   *
   * @return the object as created, or the run's own one of that name (empty if it went meanwhile)
   */
  Optional<HasMetadata> create(HasMetadata desired) {
    try {
      HasMetadata made = client.resource(desired).create();
      if (isCached(made)) {
        cache.written(run, made, null);
      }
      return Optional.of(made);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      return existing(desired).map(this::requireOwned);
    }
  }

  /** The config follows the spec: data and annotations are replaced when they differ, else left alone. */
  void ensure(ConfigMap desired) {
    ConfigMap actual = current(desired).orElse(null);
    if (actual == null) {
      create(desired);
      return;
    }
    requireOwned(actual);
    if (!Objects.equals(actual.getData(), desired.getData())
        || !Objects.equals(actual.getMetadata().getAnnotations(), desired.getMetadata().getAnnotations())) {
      ConfigMap next = Serialization.clone(actual); // the cache's copy is shared
      next.setData(desired.getData());
      next.getMetadata().setAnnotations(desired.getMetadata().getAnnotations());
      updated(next, actual);
    }
  }

  /**
   * An object of an API the cluster may not serve (a batch scheduler's CRD) with the desired spec:
   * created, or its spec replaced when it differs. False when the cluster has no such API.
   */
  boolean ensureSpec(ResourceDefinitionContext api, GenericKubernetesResource desired) {
    var resources = client.genericKubernetesResources(api).inNamespace(desired.getMetadata().getNamespace());
    try {
      GenericKubernetesResource actual = resources.withName(desired.getMetadata().getName()).get();
      if (actual == null) {
        resources.resource(desired).create();
        return true;
      }
      requireOwned(actual);
      // Only the fields the operator sets: the scheduler's webhooks may default others (Volcano: the queue).
      @SuppressWarnings("unchecked")
      Map<String, Object> desiredSpec = (Map<String, Object>) desired.getAdditionalProperties().get("spec");
      @SuppressWarnings("unchecked")
      Map<String, Object> actualSpec = actual.getAdditionalProperties().get("spec") instanceof Map<?, ?> m
          ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
      if (!desiredSpec.entrySet().stream().allMatch(e -> Objects.equals(actualSpec.get(e.getKey()), e.getValue()))) {
        actualSpec.putAll(desiredSpec);
        actual.getAdditionalProperties().put("spec", actualSpec);
        resources.resource(actual).update();
      }
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  /** The policy follows the spec and the operator's settings: its spec is replaced when it differs. */
  void ensure(NetworkPolicy desired) {
    NetworkPolicy actual = current(desired).orElse(null);
    if (actual == null) {
      create(desired);
      return;
    }
    requireOwned(actual);
    if (!Objects.equals(actual.getSpec(), desired.getSpec())) {
      NetworkPolicy next = Serialization.clone(actual);
      next.setSpec(desired.getSpec());
      updated(next, actual);
    }
  }

  /**
   * The object of {@code desired}'s name as the operator's informers have it (a Secret: as the API
   * server has it). Absent from the cache is not proof of absence: an object without the run label
   * is not cached, and its create is then refused (a conflict) and it is read.
   */
  <T extends HasMetadata> Optional<T> current(T desired) {
    if (isCached(desired)) {
      return cache.owned(desired);
    }
    return Optional.ofNullable(client.resource(desired).get());
  }

  /**
   * Updates at the resourceVersion of {@code previous} (a concurrent writer, or a stale cache, makes
   * this fail and the pass retry) and puts the result in the cache.
   */
  <T extends HasMetadata> T updated(T next, T previous) {
    T written = client.resource(next).update();
    cache.written(run, written, previous);
    return written;
  }

  /** Puts an object this pass created into the cache. */
  <T extends HasMetadata> T created(T made) {
    cache.written(run, made, null);
    return made;
  }

  private static boolean isCached(HasMetadata object) {
    return ClusterCache.OWNED_KINDS.contains(object.getClass());
  }

  /** @throws ForeignObjectException or {@link PreviousRunObjectException} unless this run controls it */
  <T extends HasMetadata> T requireOwned(T actual) {
    if (isOwned(actual, run)) {
      return actual;
    }
    Optional<OwnerReference> controller = controller(actual);
    if (controller.isPresent() && isRunKind(controller.get())
        && run.getMetadata().getName().equals(controller.get().getName())) {
      throw new PreviousRunObjectException(actual);
    }
    throw new ForeignObjectException(actual, controller
        .map(ref -> "is controlled by " + ref.getKind() + " " + ref.getName() + " (uid " + ref.getUid() + ")")
        .orElse("is not owned by this run"));
  }

  /** The object of {@code desired}'s name, if any. Pods are listed by name: the operator may not get them. */
  private Optional<? extends HasMetadata> existing(HasMetadata desired) {
    if (desired instanceof Pod) {
      List<Pod> pods = client.pods().inNamespace(desired.getMetadata().getNamespace())
          .withField("metadata.name", desired.getMetadata().getName()).list().getItems();
      return pods.stream().findFirst();
    }
    return Optional.ofNullable(client.resource(desired).get());
  }

  private static Optional<OwnerReference> controller(HasMetadata object) {
    List<OwnerReference> refs = object.getMetadata().getOwnerReferences();
    return refs == null ? Optional.empty()
        : refs.stream().filter(ref -> Boolean.TRUE.equals(ref.getController())).findFirst();
  }

  private static boolean isRunKind(OwnerReference ref) {
    return "ContrastiveTrainingRun".equals(ref.getKind()) && ref.getApiVersion() != null
        && ref.getApiVersion().startsWith(ContrastiveTrainingRun.GROUP + "/");
  }
}
