package dev.contrastive.api.pod;

import static dev.contrastive.api.pod.OperatorOwnedFields.TRAINER_CONTAINER;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.api.spec.DatasetCacheSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The operator's own check of {@code spec.template}: what the CRD's CEL rules refuse (API servers
 * before 1.25 drop those rules), plus what a rule cannot see (spec.checkpoint.mountPath, the
 * configured GPU resource name, container names). Refusals name the field as the rules do.
 */
public final class TemplateCheck {

  private static final ObjectMapper JSON = new ObjectMapper();

  private TemplateCheck() {}

  /** @throws InvalidConfigException naming the first field of the template the operator owns */
  public static void check(ContrastiveTrainingRunSpec spec) {
    PodTemplateSpec template = spec.template;
    if (template == null) {
      return;
    }
    checkMetadata(template);
    if (template.getSpec() == null) {
      return;
    }
    JsonNode podSpec = JSON.valueToTree(template.getSpec());
    for (OperatorOwnedFields.Owned owned : OperatorOwnedFields.POD) {
      if (isSet(podSpec.get(owned.field()))) {
        throw InvalidConfigException.at(TemplateCelRules.POD + "." + owned.field(),
            "set by the operator; " + owned.instead());
      }
    }
    for (var volume : nullToEmpty(template.getSpec().getVolumes())) {
      if (OperatorOwnedFields.RESERVED_VOLUMES.contains(volume.getName())) {
        throw new InvalidConfigException(TemplateCelRules.POD + ".volumes",
            TemplateCelRules.POD + ".volumes[" + volume.getName() + "]: " + TemplateCelRules.volumesMessage()
                .substring(TemplateCelRules.POD.length() + ".volumes: ".length()));
      }
    }
    checkContainerNames(template.getSpec().getContainers(), "containers");
    checkContainerNames(template.getSpec().getInitContainers(), "initContainers");
    for (Container container : nullToEmpty(template.getSpec().getContainers())) {
      if (TRAINER_CONTAINER.equals(container.getName())) {
        checkTrainer(container, spec);
      }
    }
  }

  private static void checkMetadata(PodTemplateSpec template) {
    if (template.getMetadata() == null) {
      return;
    }
    JsonNode metadata = JSON.valueToTree(template.getMetadata());
    for (String field : TemplateCelRules.metadataFieldsNotMerged()) {
      if (isSet(metadata.get(field))) {
        throw InvalidConfigException.at(TemplateCelRules.TEMPLATE + ".metadata", field
            + " is set: only labels and annotations are merged; the operator names, places and owns each worker pod");
      }
    }
    checkKeys("labels", template.getMetadata().getLabels());
    checkKeys("annotations", template.getMetadata().getAnnotations());
  }

  private static void checkKeys(String map, Map<String, String> entries) {
    for (String key : entries == null ? Set.<String>of() : entries.keySet()) {
      if (key.startsWith(OperatorOwnedFields.RESERVED_KEY_PREFIX)) {
        throw InvalidConfigException.at(TemplateCelRules.TEMPLATE + ".metadata." + map, key
            + ": keys starting with " + OperatorOwnedFields.RESERVED_KEY_PREFIX + " are the operator's");
      }
    }
  }

  private static void checkContainerNames(List<Container> containers, String list) {
    Set<String> names = new HashSet<>();
    List<Container> all = nullToEmpty(containers);
    for (int i = 0; i < all.size(); i++) {
      String name = all.get(i).getName();
      String field = TemplateCelRules.POD + "." + list + "[" + i + "].name";
      if (name == null || name.isBlank()) {
        throw InvalidConfigException.at(field, "required: name the container " + TRAINER_CONTAINER
            + " to merge it into the trainer, any other name adds it");
      }
      if (!names.add(name)) {
        throw InvalidConfigException.at(field, "'" + name + "' names two containers");
      }
    }
  }

  private static void checkTrainer(Container trainer, ContrastiveTrainingRunSpec spec) {
    JsonNode container = JSON.valueToTree(trainer);
    for (OperatorOwnedFields.Owned owned : OperatorOwnedFields.TRAINER) {
      if (isSet(container.get(owned.field()))) {
        throw InvalidConfigException.at(TemplateCelRules.TRAINER + "." + owned.field(),
            "set by the operator; " + owned.instead());
      }
    }
    for (var env : nullToEmpty(trainer.getEnv())) {
      if (OperatorOwnedFields.RESERVED_ENV.contains(env.getName())) {
        throw InvalidConfigException.at(TemplateCelRules.TRAINER + ".env", env.getName()
            + " is set by the operator (reserved: " + String.join(", ", OperatorOwnedFields.RESERVED_ENV) + ")");
      }
    }
    List<String> reservedPaths = new ArrayList<>(OperatorOwnedFields.RESERVED_MOUNT_PATHS);
    reservedPaths.add(spec.checkpoint == null || spec.checkpoint.mountPath == null
        ? "/checkpoints" : spec.checkpoint.mountPath);
    reservedPaths.add(DatasetCacheSpec.mountPathOf(spec.dataset));
    for (VolumeMount mount : nullToEmpty(trainer.getVolumeMounts())) {
      if (reservedPaths.contains(trimSlash(mount.getMountPath()))) {
        throw InvalidConfigException.at(TemplateCelRules.TRAINER + ".volumeMounts", mount.getMountPath()
            + " is the operator's mount path (reserved: " + String.join(", ", reservedPaths) + "); mount elsewhere");
      }
    }
    ResourceRequirements resources = trainer.getResources();
    if (resources != null) {
      for (OperatorOwnedFields.Owned owned : OperatorOwnedFields.TRAINER_RESOURCES) {
        if (names(resources, owned.field())) {
          throw InvalidConfigException.at(TemplateCelRules.TRAINER + ".resources",
              owned.field() + " is set by the operator; " + owned.instead());
        }
      }
      String gpu = spec.resources == null || spec.resources.gpuResourceName == null
          ? "nvidia.com/gpu" : spec.resources.gpuResourceName;
      if (names(resources, gpu)) {
        throw InvalidConfigException.at(TemplateCelRules.TRAINER + ".resources", gpu
            + " (spec.resources.gpuResourceName) is set by the operator; use spec.resources.gpusPerNode");
      }
    }
  }

  private static boolean names(ResourceRequirements resources, String resource) {
    Map<String, Quantity> requests = Objects.requireNonNullElse(resources.getRequests(), Map.of());
    Map<String, Quantity> limits = Objects.requireNonNullElse(resources.getLimits(), Map.of());
    return requests.containsKey(resource) || limits.containsKey(resource);
  }

  /** Set as the API server sees it: present and not null (an empty list or map is still set). */
  private static boolean isSet(JsonNode value) {
    return value != null && !value.isNull();
  }

  private static String trimSlash(String path) {
    return path != null && path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
