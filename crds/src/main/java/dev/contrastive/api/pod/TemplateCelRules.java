package dev.contrastive.api.pod;

import static dev.contrastive.api.pod.OperatorOwnedFields.TRAINER_CONTAINER;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The CEL rules (x-kubernetes-validations) that make the API server refuse a {@code spec.template}
 * setting a field the operator owns ({@link OperatorOwnedFields}), and the size bounds that keep
 * their estimated cost within the API server's budget (it refuses rules over unbounded lists).
 * {@code crd.TemplateSchema} writes both into the generated CRD. Every message reads
 * {@code "<field>: <problem>"}, the field as {@link TemplateCheck} names it.
 */
public final class TemplateCelRules {

  /** Below {@code spec} in the schema: property names, {@code []} for a list's items. */
  public record Rule(List<String> scope, String expression, String message) {

    /** The field the message names. */
    public String field() {
      return message.substring(0, message.indexOf(": "));
    }
  }

  /** A size limit for the schema node at {@code scope}: maxItems, maxProperties or maxLength. */
  public record Bound(List<String> scope, String keyword, int value) {}

  static final String TEMPLATE = "spec.template";
  static final String POD = TEMPLATE + ".spec";
  static final String TRAINER = POD + ".containers[" + TRAINER_CONTAINER + "]";

  private static final List<String> METADATA = List.of("template", "metadata");
  private static final List<String> POD_SPEC = List.of("template", "spec");
  private static final List<String> VOLUME = List.of("template", "spec", "volumes", "[]");
  private static final List<String> CONTAINER = List.of("template", "spec", "containers", "[]");

  private TemplateCelRules() {}

  public static List<Rule> rules() {
    List<Rule> rules = new ArrayList<>();
    rules.add(new Rule(METADATA,
        metadataFieldsNotMerged().stream().map(f -> "!has(self." + f + ")").collect(Collectors.joining(" && ")),
        TEMPLATE + ".metadata: only labels and annotations are merged; the operator names, places and owns"
            + " each worker pod"));
    for (String map : OperatorOwnedFields.METADATA_MERGED) {
      rules.add(new Rule(METADATA,
          "!has(self." + map + ") || !self." + map + ".exists(k, k.startsWith('"
              + OperatorOwnedFields.RESERVED_KEY_PREFIX + "'))",
          TEMPLATE + ".metadata." + map + ": keys starting with " + OperatorOwnedFields.RESERVED_KEY_PREFIX
              + " are the operator's"));
    }
    for (OperatorOwnedFields.Owned owned : OperatorOwnedFields.POD) {
      rules.add(new Rule(POD_SPEC, "!has(self." + owned.field() + ")",
          POD + "." + owned.field() + ": set by the operator; " + owned.instead()));
    }
    rules.add(new Rule(VOLUME, "!(self.name in " + list(OperatorOwnedFields.RESERVED_VOLUMES) + ")",
        volumesMessage()));
    String trainer = "self.name != '" + TRAINER_CONTAINER + "' || ";
    for (OperatorOwnedFields.Owned owned : OperatorOwnedFields.TRAINER) {
      rules.add(new Rule(CONTAINER, trainer + "!has(self." + owned.field() + ")",
          TRAINER + "." + owned.field() + ": set by the operator; " + owned.instead()));
    }
    rules.add(new Rule(CONTAINER,
        trainer + "!has(self.env) || self.env.all(e, !(e.name in " + list(OperatorOwnedFields.RESERVED_ENV) + "))",
        envMessage()));
    rules.add(new Rule(CONTAINER,
        trainer + "!has(self.volumeMounts) || self.volumeMounts.all(m, !(m.mountPath in "
            + list(withTrailingSlash(OperatorOwnedFields.RESERVED_MOUNT_PATHS)) + "))",
        mountsMessage()));
    for (OperatorOwnedFields.Owned owned : OperatorOwnedFields.TRAINER_RESOURCES) {
      rules.add(new Rule(CONTAINER,
          trainer + "!has(self.resources) || " + notAResource("self.resources", "'" + owned.field() + "'"),
          resourcesMessage(owned.field(), owned.instead())));
    }
    // The GPU resource's name is a spec setting, so this rule sits on the spec.
    String gpu = "(has(self.resources) && has(self.resources.gpuResourceName) ? self.resources.gpuResourceName"
        + " : 'nvidia.com/gpu')";
    rules.add(new Rule(List.of(),
        "!has(self.template) || !has(self.template.spec) || !has(self.template.spec.containers)"
            + " || self.template.spec.containers.all(c, c.name != '" + TRAINER_CONTAINER + "' || !has(c.resources) || "
            + notAResource("c.resources", gpu) + ")",
        resourcesMessage("the GPU resource (spec.resources.gpuResourceName)", "use spec.resources.gpusPerNode")));
    return List.copyOf(rules);
  }

  public static List<Bound> bounds() {
    return List.of(
        new Bound(List.of("template", "metadata", "labels"), "maxProperties", 256),
        new Bound(List.of("template", "metadata", "annotations"), "maxProperties", 256),
        new Bound(List.of("template", "spec", "volumes"), "maxItems", 256),
        new Bound(List.of("template", "spec", "volumes", "[]", "name"), "maxLength", 253),
        new Bound(List.of("template", "spec", "containers"), "maxItems", 32),
        new Bound(List.of("template", "spec", "containers", "[]", "name"), "maxLength", 253),
        new Bound(List.of("template", "spec", "containers", "[]", "env"), "maxItems", 1024),
        new Bound(List.of("template", "spec", "containers", "[]", "env", "[]", "name"), "maxLength", 1024),
        new Bound(List.of("template", "spec", "containers", "[]", "volumeMounts"), "maxItems", 256),
        new Bound(List.of("template", "spec", "containers", "[]", "volumeMounts", "[]", "mountPath"), "maxLength", 4096),
        new Bound(List.of("template", "spec", "containers", "[]", "resources", "requests"), "maxProperties", 64),
        new Bound(List.of("template", "spec", "containers", "[]", "resources", "limits"), "maxProperties", 64));
  }

  static String volumesMessage() {
    return POD + ".volumes: " + String.join(", ", OperatorOwnedFields.RESERVED_VOLUMES)
        + " are the operator's volume names; choose another name";
  }

  static String envMessage() {
    return TRAINER + ".env: " + String.join(", ", OperatorOwnedFields.RESERVED_ENV)
        + " are set by the operator; use other names";
  }

  static String mountsMessage() {
    return TRAINER + ".volumeMounts: " + String.join(", ", OperatorOwnedFields.RESERVED_MOUNT_PATHS)
        + ", spec.checkpoint.mountPath and spec.dataset.cache.mountPath are the operator's mount paths; mount elsewhere";
  }

  static String resourcesMessage(String resource, String instead) {
    return TRAINER + ".resources: " + resource + " is set by the operator; " + instead;
  }

  /** ObjectMeta's fields other than labels and annotations, as Jackson (and so the schema) names them. */
  static List<String> metadataFieldsNotMerged() {
    ObjectMapper json = new ObjectMapper();
    return json.getSerializationConfig().introspect(json.constructType(ObjectMeta.class)).findProperties().stream()
        .map(BeanPropertyDefinition::getName)
        .filter(name -> !OperatorOwnedFields.METADATA_MERGED.contains(name))
        .sorted()
        .toList();
  }

  private static String notAResource(String resources, String name) {
    return "((!has(" + resources + ".requests) || !(" + name + " in " + resources + ".requests))"
        + " && (!has(" + resources + ".limits) || !(" + name + " in " + resources + ".limits)))";
  }

  private static List<String> withTrailingSlash(List<String> paths) {
    return paths.stream().flatMap(p -> Stream.of(p, p + "/")).toList();
  }

  private static String list(List<String> values) {
    return values.stream().map(v -> "'" + v + "'").collect(Collectors.joining(", ", "[", "]"));
  }
}
