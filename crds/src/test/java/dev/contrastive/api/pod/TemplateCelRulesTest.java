package dev.contrastive.api.pod;

import static dev.contrastive.api.testing.CelValues.celValue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.config.RunFiles;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The template rules of the checked-in CRD, evaluated with cel-java (the test API server, 1.20,
 * has no CEL): a template that sets only what is merged passes every rule and the operator's
 * {@link TemplateCheck}; for each rule, a template setting one owned field fails that rule and is
 * refused by TemplateCheck naming the same field.
 */
class TemplateCelRulesTest {

  static final YAMLMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = new ObjectMapper();

  /** Everything a user may set: each merged field once. */
  static final String ALLOWED_TEMPLATE = """
      metadata:
        labels: {team: vision, kueue.x-k8s.io/queue-name: gpus}
        annotations: {sidecar.istio.io/inject: "false"}
      spec:
        priorityClassName: training
        schedulerName: volcano
        runtimeClassName: nvidia
        imagePullSecrets: [{name: registry-login}]
        tolerations: [{key: dedicated, operator: Equal, value: ml, effect: NoSchedule}]
        affinity:
          nodeAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
              nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [a]}]}]
        volumes:
          - {name: imagenet, persistentVolumeClaim: {claimName: imagenet, readOnly: true}}
          - {name: hf-token, secret: {secretName: hf-token}}
        initContainers:
          - {name: warm-cache, image: busybox, command: [sh, -c, "ls /data"]}
        containers:
          - name: trainer
            env: [{name: WANDB_PROJECT, value: simclr}]
            envFrom: [{secretRef: {name: tracking-keys}}]
            volumeMounts: [{name: imagenet, mountPath: /data, readOnly: true}]
            resources: {limits: {hugepages-2Mi: 1Gi, rdma/hca: "1"}}
          - name: uploader
            image: busybox
            command: [sh]
            ports: [{containerPort: 8080}]
            env: [{name: RANK, value: "sidecars may use any name"}]
            volumeMounts: [{name: checkpoints, mountPath: /checkpoints}]
            resources: {limits: {cpu: 100m, memory: 64Mi}}
      """;

  /** One value for each owned pod field, to set it in a bad template. */
  static final Map<String, Object> POD_SAMPLES = Map.ofEntries(
      Map.entry("restartPolicy", "Always"),
      Map.entry("serviceAccountName", "default"),
      Map.entry("serviceAccount", "default"),
      Map.entry("automountServiceAccountToken", false),
      Map.entry("nodeName", "gpu-node-1"),
      Map.entry("nodeSelector", Map.of("gpu", "a100")),
      Map.entry("hostname", "worker"),
      Map.entry("subdomain", "workers"),
      Map.entry("securityContext", Map.of("runAsUser", 0)),
      Map.entry("hostNetwork", true),
      Map.entry("hostPID", true),
      Map.entry("hostIPC", true),
      Map.entry("activeDeadlineSeconds", 60));

  /** One value for each owned field of the trainer container. */
  static final Map<String, Object> TRAINER_SAMPLES = Map.ofEntries(
      Map.entry("image", "busybox"),
      Map.entry("imagePullPolicy", "Always"),
      Map.entry("command", List.of("sh")),
      Map.entry("args", List.of("-c", "true")),
      Map.entry("ports", List.of(Map.of("containerPort", 80))),
      Map.entry("securityContext", Map.of("privileged", true)),
      Map.entry("terminationMessagePolicy", "File"));

  /** Bad templates for the rules that are not about one field of the lists above, by field. */
  static final Map<String, String> OTHER_CASES = Map.of(
      "spec.template.metadata", "metadata: {name: my-pod}",
      "spec.template.metadata.labels", "metadata: {labels: {contrastive.dev/rank: '0'}}",
      "spec.template.metadata.annotations", "metadata: {annotations: {contrastive.dev/gang: x}}",
      "spec.template.spec.volumes", "spec: {volumes: [{name: checkpoints, emptyDir: {}}]}",
      "spec.template.spec.containers[trainer].env", "spec: {containers: [{name: trainer, env: [{name: RANK, value: '3'}]}]}",
      "spec.template.spec.containers[trainer].volumeMounts",
      "spec: {containers: [{name: trainer, volumeMounts: [{name: data, mountPath: /tmp/}]}]}");

  static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .build();

  static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  /** A rule of the CRD, where it sits below spec. */
  record CrdRule(List<String> scope, String expression, String message) {
    String field() {
      return message.substring(0, message.indexOf(": "));
    }
  }

  static List<CrdRule> templateRulesInCrd() throws Exception {
    JsonNode spec = crdSpecSchema();
    List<CrdRule> rules = new ArrayList<>();
    collect(spec, List.of(), rules);
    return rules.stream().filter(r -> r.message().startsWith("spec.template")).toList();
  }

  static JsonNode crdSpecSchema() throws Exception {
    JsonNode crd = YAML.readTree(Path.of("contrastivetrainingruns.contrastive.dev-v1.yml").toFile());
    return crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
  }

  private static void collect(JsonNode schema, List<String> scope, List<CrdRule> rules) {
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      rules.add(new CrdRule(scope, rule.get("rule").asText(), rule.get("message").asText()));
    }
    schema.path("properties").fields().forEachRemaining(p -> collect(p.getValue(), append(scope, p.getKey()), rules));
    if (schema.has("items")) {
      collect(schema.get("items"), append(scope, "[]"), rules);
    }
  }

  private static List<String> append(List<String> list, String step) {
    List<String> longer = new ArrayList<>(list);
    longer.add(step);
    return List.copyOf(longer);
  }

  static ContrastiveTrainingRunSpec specWith(String templateYaml) throws Exception {
    ContrastiveTrainingRunSpec spec = RunFiles.parse("""
        apiVersion: contrastive.dev/v1alpha1
        kind: ContrastiveTrainingRun
        metadata: {name: t}
        spec:
          image: registry.example/trainer:1
        """, "test").getSpec();
    spec.template = YAML.readValue(templateYaml, io.fabric8.kubernetes.api.model.PodTemplateSpec.class);
    return spec;
  }

  /** Whether the rule holds at every place its scope names (every item of a list). */
  static boolean holds(CrdRule rule, ContrastiveTrainingRunSpec spec) throws Exception {
    CelAbstractSyntaxTree ast = COMPILER.compile(rule.expression()).getAst();
    List<Object> places = List.of(celValue(JSON.convertValue(spec, Map.class)));
    for (String step : rule.scope()) {
      List<Object> next = new ArrayList<>();
      for (Object place : places) {
        Object value = "[]".equals(step) ? place : ((Map<?, ?>) place).get(step);
        if ("[]".equals(step)) {
          next.addAll((List<?>) value);
        } else if (value != null) {
          next.add(value);
        }
      }
      places = next;
    }
    for (Object self : places) {
      if (!(Boolean) RUNTIME.createProgram(ast).eval(Map.of("self", self))) {
        return false;
      }
    }
    return true;
  }


  /** The bad template for a rule's field. */
  static String badTemplate(String field) throws Exception {
    String pod = "spec.template.spec.";
    String trainer = "spec.template.spec.containers[trainer].";
    if (field.startsWith(trainer) && TRAINER_SAMPLES.containsKey(field.substring(trainer.length()))) {
      Map<String, Object> container = new LinkedHashMap<>();
      container.put("name", "trainer");
      container.put(field.substring(trainer.length()), TRAINER_SAMPLES.get(field.substring(trainer.length())));
      return JSON.writeValueAsString(Map.of("spec", Map.of("containers", List.of(container))));
    }
    if (field.startsWith(pod) && POD_SAMPLES.containsKey(field.substring(pod.length()))) {
      return JSON.writeValueAsString(Map.of("spec", Map.of(field.substring(pod.length()),
          POD_SAMPLES.get(field.substring(pod.length())))));
    }
    return OTHER_CASES.get(field);
  }

  static String badResources(String message) {
    for (String resource : List.of("cpu", "memory")) {
      if (message.contains(": " + resource + " is set")) {
        return "spec: {containers: [{name: trainer, resources: {limits: {" + resource + ": '1'}}}]}";
      }
    }
    return "spec: {containers: [{name: trainer, resources: {requests: {nvidia.com/gpu: '1'}}}]}";
  }

  @Test
  void crdCarriesExactlyTheGeneratedRules() throws Exception {
    assertThat(templateRulesInCrd())
        .map(r -> r.message() + " | " + r.expression())
        .containsExactlyInAnyOrderElementsOf(TemplateCelRules.rules().stream()
            .map(r -> r.message() + " | " + r.expression()).toList());
  }

  @Test
  void allowedTemplatePassesEveryRuleAndTheOperatorsCheck() throws Exception {
    ContrastiveTrainingRunSpec spec = specWith(ALLOWED_TEMPLATE);

    for (CrdRule rule : templateRulesInCrd()) {
      assertThat(holds(rule, spec)).as(rule.message()).isTrue();
    }
    assertThatCode(() -> TemplateCheck.check(spec)).doesNotThrowAnyException();
    assertThatCode(() -> ConfigResolver.resolve(spec)).as("the trainer reads a config with a template")
        .doesNotThrowAnyException();
  }

  @TestFactory
  Stream<DynamicTest> eachRuleRefusesItsFieldAndTheOperatorNamesTheSameField() throws Exception {
    return templateRulesInCrd().stream().map(rule -> DynamicTest.dynamicTest(rule.message(), () -> {
      String bad = rule.field().endsWith(".resources") ? badResources(rule.message()) : badTemplate(rule.field());
      assertThat(bad).as("no bad case for the rule on %s: add a sample to this test", rule.field()).isNotNull();
      ContrastiveTrainingRunSpec spec = specWith(bad);

      assertThat(holds(rule, spec)).as("rule holds for %s", bad).isFalse();
      assertThatThrownBy(() -> TemplateCheck.check(spec))
          .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo(rule.field()));
    }));
  }

  @Test
  void operatorAlsoRefusesTheCheckpointMountPathAndAConfiguredGpuName() throws Exception {
    ContrastiveTrainingRunSpec mounts = specWith(
        "spec: {containers: [{name: trainer, volumeMounts: [{name: data, mountPath: /ckpt}]}]}");
    mounts.checkpoint.mountPath = "/ckpt";
    ContrastiveTrainingRunSpec gpus = specWith(
        "spec: {containers: [{name: trainer, resources: {limits: {amd.com/gpu: '1'}}}]}");
    gpus.resources.gpuResourceName = "amd.com/gpu";

    assertThatThrownBy(() -> TemplateCheck.check(mounts)).hasMessageContaining("/ckpt is the operator's mount path");
    assertThatThrownBy(() -> TemplateCheck.check(gpus)).hasMessageContaining("amd.com/gpu");
    CrdRule gpuRule = templateRulesInCrd().stream().filter(r -> r.message().contains("gpuResourceName")).findFirst()
        .orElseThrow();
    assertThat(holds(gpuRule, gpus)).isFalse();
  }

  @Test
  void operatorRefusesUnnamedAndDuplicateContainers() throws Exception {
    assertThatThrownBy(() -> TemplateCheck.check(specWith("spec: {containers: [{image: busybox}]}")))
        .isInstanceOfSatisfying(InvalidConfigException.class,
            e -> assertThat(e.field()).isEqualTo("spec.template.spec.containers[0].name"));
    assertThatThrownBy(() -> TemplateCheck.check(specWith("spec: {containers: [{name: trainer}, {name: trainer}]}")))
        .isInstanceOfSatisfying(InvalidConfigException.class,
            e -> assertThat(e.field()).isEqualTo("spec.template.spec.containers[1].name"));
  }

  @Test
  void metadataRuleNamesEveryFieldOfTheSchemaButLabelsAndAnnotations() throws Exception {
    List<String> schemaFields = new ArrayList<>();
    crdSpecSchema().at("/properties/template/properties/metadata/properties").fieldNames()
        .forEachRemaining(schemaFields::add);

    assertThat(TemplateCelRules.metadataFieldsNotMerged()).containsExactlyInAnyOrderElementsOf(
        schemaFields.stream().filter(f -> !f.equals("labels") && !f.equals("annotations")).toList());
  }

  @Test
  void everyListAndMapTheRulesReadIsBounded() throws Exception {
    JsonNode template = crdSpecSchema().at("/properties/template/properties");
    assertThat(template.at("/spec/properties/containers/maxItems").asInt()).isPositive();
    assertThat(template.at("/spec/properties/volumes/maxItems").asInt()).isPositive();
    JsonNode container = template.at("/spec/properties/containers/items/properties");
    assertThat(container.at("/env/maxItems").asInt()).isPositive();
    assertThat(container.at("/env/items/properties/name/maxLength").asInt()).isPositive();
    assertThat(container.at("/volumeMounts/maxItems").asInt()).isPositive();
    assertThat(container.at("/resources/properties/limits/maxProperties").asInt()).isPositive();
    assertThat(container.at("/resources/properties/requests/maxProperties").asInt()).isPositive();
    assertThat(template.at("/metadata/properties/labels/maxProperties").asInt()).isPositive();
    assertThat(template.at("/metadata/properties/annotations/maxProperties").asInt()).isPositive();
  }
}
