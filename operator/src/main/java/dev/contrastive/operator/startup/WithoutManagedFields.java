package dev.contrastive.operator.startup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * The operator's client reads objects without {@code metadata.managedFields} (#18, operator
 * memory): the API server sends them with every object, a worker pod's are a tree of a few hundred
 * small maps, and at 200 runs they were about half of the informers' live heap. Nothing in the
 * operator reads them, and an update that sends none keeps the server's.
 */
@Singleton
public class WithoutManagedFields implements KubernetesClientObjectMapperCustomizer {

  @Override
  public void customize(ObjectMapper mapper) {
    mapper.addMixIn(ObjectMeta.class, IgnoreManagedFields.class);
  }

  /** ObjectMeta's own annotation, plus managedFields. */
  @JsonIgnoreProperties(value = "managedFields", ignoreUnknown = true)
  abstract static class IgnoreManagedFields {}
}
