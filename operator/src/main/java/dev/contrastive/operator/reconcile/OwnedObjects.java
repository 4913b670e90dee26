package dev.contrastive.operator.reconcile;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Objects;

/** Makes owned objects exist without touching those already right, so a reconcile is idempotent. */
final class OwnedObjects {

  private final KubernetesClient client;

  OwnedObjects(KubernetesClient client) {
    this.client = client;
  }

  /** Creates {@code desired} unless an object of that name exists (its content is kept). */
  void createIfAbsent(HasMetadata desired) {
    if (client.resource(desired).get() == null) {
      create(desired);
    }
  }

  /** Creates without reading first; an existing object (a stale cache said it was missing) is fine. */
  void create(HasMetadata desired) {
    try {
      client.resource(desired).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
    }
  }

  /** The config follows the spec: its data is replaced when it differs, and left alone otherwise. */
  void ensure(ConfigMap desired) {
    ConfigMap actual = client.resource(desired).get();
    if (actual == null) {
      create(desired);
    } else if (!Objects.equals(actual.getData(), desired.getData())) {
      actual.setData(desired.getData());
      client.resource(actual).update();
    }
  }
}
