package dev.contrastive.operator.plan;

import static dev.contrastive.api.pod.OperatorOwnedFields.TRAINER_CONTAINER;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.pod.TemplateCheck;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A run's {@code spec.template} merged into a worker pod the operator built, as PyTorchJob users
 * expect of a pod template, while the operator keeps what makes the gang work.
 *
 * <ul>
 *   <li>metadata: labels and annotations are added (TemplateCheck refuses the rest);
 *   <li>pod: volumes, tolerations and init containers are added; a required node affinity is
 *       ANDed with the operator's node pinning (never replacing it), preferred terms and pod
 *       (anti-)affinity are taken; any other field (imagePullSecrets, priorityClassName,
 *       schedulerName, runtimeClassName, topologySpreadConstraints, dnsConfig, ...) is taken as
 *       written where the operator sets none;
 *   <li>the container named {@code trainer}: env, envFrom, volumeMounts and volumeDevices are added
 *       after the operator's (so its env can refer to {@code $(RANK)}, and the operator's env wins
 *       over an envFrom key of the same name), resources other than the spec's are added (hugepages,
 *       RDMA devices), other fields taken where the operator sets none;
 *   <li>every other container is added as a sidecar.
 * </ul>
 *
 * A template that would change anything the operator set is refused whole with
 * {@link InvalidConfigException} naming the field: never silently dropped, never half-applied.
 */
public final class WorkerPodTemplate {

  private static final ObjectMapper JSON = Serialization.jsonMapper();
  private static final String POD = "spec.template.spec";
  private static final String TRAINER = POD + ".containers[" + TRAINER_CONTAINER + "]";

  /** Pod fields merged one by one; every other field of the template is taken where the operator sets none. */
  private static final Set<String> MERGED_POD_FIELDS =
      Set.of("containers", "initContainers", "volumes", "tolerations", "affinity");
  /** Trainer container fields merged one by one; the same rule for the rest. */
  private static final Set<String> MERGED_TRAINER_FIELDS =
      Set.of("name", "env", "envFrom", "volumeMounts", "volumeDevices", "resources");

  private WorkerPodTemplate() {}

  /**
   * The operator's pod with the run's template merged in ({@code pod} itself is not changed).
   *
   * @throws InvalidConfigException naming the first template field the operator cannot merge
   */
  public static Pod merge(Pod pod, ContrastiveTrainingRunSpec spec) {
    TemplateCheck.check(spec);
    PodTemplateSpec template = spec.template;
    if (template == null) {
      return pod;
    }
    Pod merged = copy(pod, Pod.class);
    if (template.getMetadata() != null) {
      mergeMetadata(merged.getMetadata(), template.getMetadata());
    }
    if (template.getSpec() != null) {
      merged.setSpec(mergeSpec(merged.getSpec(), copy(template.getSpec(), PodSpec.class)));
    }
    return merged;
  }

  /** The tolerations the worker pods carry: the spec's, then the template's. */
  public static List<Toleration> tolerations(ContrastiveTrainingRunSpec spec) {
    List<Toleration> all = new ArrayList<>(spec.tolerations == null ? List.of() : spec.tolerations);
    if (spec.template != null && spec.template.getSpec() != null) {
      nullToEmpty(spec.template.getSpec().getTolerations()).stream().filter(t -> !all.contains(t)).forEach(all::add);
    }
    return all;
  }

  private static void mergeMetadata(ObjectMeta pod, ObjectMeta template) {
    pod.setLabels(mergeMap(pod.getLabels(), template.getLabels(), "spec.template.metadata.labels"));
    pod.setAnnotations(mergeMap(pod.getAnnotations(), template.getAnnotations(), "spec.template.metadata.annotations"));
  }

  private static PodSpec mergeSpec(PodSpec pod, PodSpec template) {
    List<Volume> volumes = new ArrayList<>(nullToEmpty(pod.getVolumes()));
    Set<String> volumeNames = new LinkedHashSet<>(volumes.stream().map(Volume::getName).toList());
    for (Volume volume : nullToEmpty(template.getVolumes())) {
      if (!volumeNames.add(volume.getName())) {
        throw InvalidConfigException.at(POD + ".volumes", "'" + volume.getName() + "' names two volumes");
      }
      volumes.add(volume);
    }
    List<Container> containers = new ArrayList<>();
    for (Container container : nullToEmpty(pod.getContainers())) {
      Container own = find(template.getContainers(), container.getName());
      containers.add(own == null ? container : mergeTrainer(container, own));
    }
    Set<String> containerNames = new LinkedHashSet<>(containers.stream().map(Container::getName).toList());
    for (Container sidecar : nullToEmpty(template.getContainers())) {
      if (containerNames.add(sidecar.getName())) {
        containers.add(sidecar);
      }
    }
    for (Container init : nullToEmpty(template.getInitContainers())) {
      if (!containerNames.add(init.getName())) {
        throw InvalidConfigException.at(POD + ".initContainers[" + init.getName() + "].name",
            "'" + init.getName() + "' is already the name of a container; a pod's containers need distinct names");
      }
    }
    checkMounts(containers, volumeNames, "containers");
    checkMounts(nullToEmpty(template.getInitContainers()), volumeNames, "initContainers");

    ObjectNode merged = fill(JSON.valueToTree(pod), JSON.valueToTree(template), MERGED_POD_FIELDS, POD);
    PodSpec result = JSON.convertValue(merged, PodSpec.class);
    result.setVolumes(volumes);
    result.setContainers(containers);
    result.setInitContainers(nullToEmpty(template.getInitContainers()));
    result.setTolerations(mergeTolerations(pod.getTolerations(), template.getTolerations()));
    result.setAffinity(mergeAffinity(pod.getAffinity(), template.getAffinity()));
    return result;
  }

  private static Container mergeTrainer(Container trainer, Container template) {
    Set<String> operatorEnv = new TreeSet<>(nullToEmpty(trainer.getEnv()).stream().map(EnvVar::getName).toList());
    List<EnvVar> env = new ArrayList<>(nullToEmpty(trainer.getEnv()));
    for (EnvVar var : nullToEmpty(template.getEnv())) {
      if (operatorEnv.contains(var.getName())) {
        throw InvalidConfigException.at(TRAINER + ".env", var.getName() + " is set by the operator in this run's"
            + " worker pods (it sets " + String.join(", ", operatorEnv) + "); use another name");
      }
      env.add(var);
    }
    List<VolumeMount> mounts = new ArrayList<>(nullToEmpty(trainer.getVolumeMounts()));
    Set<String> paths = new LinkedHashSet<>(mounts.stream().map(m -> trimSlash(m.getMountPath())).toList());
    for (VolumeMount mount : nullToEmpty(template.getVolumeMounts())) {
      if (!paths.add(trimSlash(mount.getMountPath()))) {
        throw InvalidConfigException.at(TRAINER + ".volumeMounts", mount.getMountPath()
            + " is mounted twice (the operator mounts " + String.join(", ", pathsOf(trainer)) + ")");
      }
      mounts.add(mount);
    }
    ObjectNode merged = fill(JSON.valueToTree(trainer), JSON.valueToTree(template), MERGED_TRAINER_FIELDS, TRAINER);
    Container result = JSON.convertValue(merged, Container.class);
    result.setEnv(env);
    result.setEnvFrom(concat(trainer.getEnvFrom(), template.getEnvFrom()));
    result.setVolumeMounts(mounts);
    result.setVolumeDevices(concat(trainer.getVolumeDevices(), template.getVolumeDevices()));
    result.setResources(mergeResources(trainer.getResources(), template.getResources()));
    return result;
  }

  /** Extra resources (hugepages, RDMA devices) are added; the spec's own (cpu, memory, GPUs) stay. */
  private static ResourceRequirements mergeResources(ResourceRequirements operator, ResourceRequirements template) {
    if (template == null) {
      return operator;
    }
    ResourceRequirements merged = operator == null ? new ResourceRequirements() : copy(operator, ResourceRequirements.class);
    merged.setRequests(mergeQuantities(merged.getRequests(), template.getRequests(), "requests"));
    merged.setLimits(mergeQuantities(merged.getLimits(), template.getLimits(), "limits"));
    merged.setClaims(concat(merged.getClaims(), template.getClaims()));
    return merged;
  }

  private static Map<String, Quantity> mergeQuantities(Map<String, Quantity> operator, Map<String, Quantity> template,
      String kind) {
    Map<String, Quantity> merged = new LinkedHashMap<>(operator == null ? Map.of() : operator);
    for (Map.Entry<String, Quantity> entry : (template == null ? Map.<String, Quantity>of() : template).entrySet()) {
      if (merged.containsKey(entry.getKey())) {
        throw InvalidConfigException.at(TRAINER + ".resources", entry.getKey() + " (" + kind
            + ") is set by the operator from spec.resources");
      }
      merged.put(entry.getKey(), entry.getValue());
    }
    return merged;
  }

  private static List<Toleration> mergeTolerations(List<Toleration> operator, List<Toleration> template) {
    List<Toleration> merged = new ArrayList<>(nullToEmpty(operator));
    nullToEmpty(template).stream().filter(t -> !merged.contains(t)).forEach(merged::add);
    return merged.isEmpty() ? null : merged;
  }

  /**
   * The operator's node pinning stays a requirement: the template's required node selector terms
   * (any of which may match) each get the pinning ANDed in; everything else of the template's
   * affinity is taken as written.
   */
  static Affinity mergeAffinity(Affinity operator, Affinity template) {
    if (template == null) {
      return operator;
    }
    Affinity merged = copy(template, Affinity.class);
    NodeSelector pinning = operator == null || operator.getNodeAffinity() == null
        ? null : operator.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
    if (pinning == null) {
      return merged;
    }
    NodeAffinity nodeAffinity = merged.getNodeAffinity() == null ? new NodeAffinity() : merged.getNodeAffinity();
    NodeSelector required = nodeAffinity.getRequiredDuringSchedulingIgnoredDuringExecution();
    if (required == null || nullToEmpty(required.getNodeSelectorTerms()).isEmpty()) {
      nodeAffinity.setRequiredDuringSchedulingIgnoredDuringExecution(copy(pinning, NodeSelector.class));
    } else {
      List<NodeSelectorTerm> terms = new ArrayList<>();
      for (NodeSelectorTerm term : required.getNodeSelectorTerms()) {
        for (NodeSelectorTerm pin : pinning.getNodeSelectorTerms()) {
          NodeSelectorTerm both = new NodeSelectorTerm();
          both.setMatchExpressions(concat(term.getMatchExpressions(), pin.getMatchExpressions()));
          both.setMatchFields(concat(term.getMatchFields(), pin.getMatchFields()));
          terms.add(both);
        }
      }
      required.setNodeSelectorTerms(terms);
    }
    merged.setNodeAffinity(nodeAffinity);
    return merged;
  }

  /** Every volume a container mounts must be a volume of the pod (the API server would refuse the pod). */
  private static void checkMounts(List<Container> containers, Set<String> volumes, String list) {
    for (Container container : containers) {
      for (VolumeMount mount : nullToEmpty(container.getVolumeMounts())) {
        if (!volumes.contains(mount.getName())) {
          throw InvalidConfigException.at(POD + "." + list + "[" + container.getName() + "].volumeMounts",
              "'" + mount.getName() + "' is not a volume of the pod (volumes: " + String.join(", ", volumes)
                  + "); add it to " + POD + ".volumes");
        }
      }
    }
  }

  /**
   * Fields of {@code template} outside {@code merged} are copied into {@code target} where it has
   * none; a field both set to different values is the operator's, and refused.
   */
  private static ObjectNode fill(ObjectNode target, ObjectNode template, Set<String> merged, String prefix) {
    for (Iterator<Map.Entry<String, JsonNode>> fields = template.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (merged.contains(field.getKey()) || field.getValue().isNull()) {
        continue;
      }
      JsonNode own = target.get(field.getKey());
      if (own != null && !own.isNull() && !own.equals(field.getValue())) {
        throw InvalidConfigException.at(prefix + "." + field.getKey(), "set by the operator to " + own
            + "; leave it out of the template");
      }
      target.set(field.getKey(), field.getValue());
    }
    return target;
  }

  private static Map<String, String> mergeMap(Map<String, String> operator, Map<String, String> template, String field) {
    Map<String, String> merged = new LinkedHashMap<>(template == null ? Map.of() : template);
    for (Map.Entry<String, String> entry : (operator == null ? Map.<String, String>of() : operator).entrySet()) {
      String theirs = merged.put(entry.getKey(), entry.getValue());
      if (theirs != null && !theirs.equals(entry.getValue())) {
        throw InvalidConfigException.at(field, entry.getKey() + " is set by the operator");
      }
    }
    return merged.isEmpty() ? null : merged;
  }

  private static Container find(List<Container> containers, String name) {
    return nullToEmpty(containers).stream().filter(c -> Objects.equals(c.getName(), name)).findFirst().orElse(null);
  }

  private static List<String> pathsOf(Container container) {
    return nullToEmpty(container.getVolumeMounts()).stream().map(VolumeMount::getMountPath).toList();
  }

  private static <T> List<T> concat(List<T> first, List<T> second) {
    List<T> all = new ArrayList<>(nullToEmpty(first));
    all.addAll(nullToEmpty(second));
    return all;
  }

  private static String trimSlash(String path) {
    return path != null && path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static <T> T copy(Object value, Class<T> type) {
    return JSON.convertValue(value, type);
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
