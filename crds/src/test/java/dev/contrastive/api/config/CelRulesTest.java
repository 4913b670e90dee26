package dev.contrastive.api.config;

import static dev.contrastive.api.testing.CelValues.celValue;
import static org.assertj.core.api.Assertions.assertThat;
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
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CEL rules of the checked-in CRD, evaluated with cel-java (kube-apiserver 1.20 has no CEL):
 * each spec rule accepts a valid spec and rejects its crafted bad spec, and ConfigResolver refuses
 * the same bad spec, so the local checks mean what the API server's rules mean. The transition
 * rule (it reads {@code oldSelf}) gets its own update cases.
 */
class CelRulesTest {

  /** A CEL rule found in the CRD: where it sits below the root and what it says. */
  record Rule(List<String> path, String expression, String message) {}

  /** How to break a valid spec so that one rule fails, and the field ConfigResolver then names. */
  record BadCase(Consumer<ContrastiveTrainingRunSpec> breakIt, String resolverField) {}

  static final String RESNET_DEPTH_RULE = "spec.architecture.depth of a ResNet must be one of [18, 34, 50, 101, 152]";

  static final Map<String, BadCase> CASES = Map.of(
      "spec.augmentation.cropScaleMin must not exceed spec.augmentation.cropScaleMax",
      new BadCase(s -> {
        s.augmentation.cropScaleMin = 0.9;
        s.augmentation.cropScaleMax = 0.5;
      }, "spec.augmentation.cropScaleMin"),
      "spec.dataset.source is required for cifar10, imagefolder and huggingface datasets",
      new BadCase(s -> s.dataset.source = null, "spec.dataset.source"),
      "spec.dataset.source of a huggingface dataset must be a Hub repository id such as ILSVRC/imagenet-1k",
      new BadCase(s -> s.dataset.type = "huggingface", "spec.dataset.source"),
      "spec.workers is required when spec.resources.gpusPerNode is 0",
      new BadCase(s -> {
        s.resources.gpusPerNode = 0;
        s.workers = null;
      }, "spec.workers"),
      "spec.resources.processesPerWorker must not exceed spec.resources.gpusPerNode (one process per GPU)",
      new BadCase(s -> {
        s.resources.gpusPerNode = 2;
        s.resources.processesPerWorker = 3;
      }, "spec.resources.processesPerWorker"),
      "spec.minNodes must not exceed spec.maxNodes",
      new BadCase(s -> {
        s.minNodes = 4;
        s.maxNodes = 2;
      }, "spec.minNodes"),
      "spec.scheduler.warmupEpochs must be less than spec.trainer.maxEpochs",
      new BadCase(s -> {
        s.scheduler.warmupEpochs = 10;
        s.trainer.maxEpochs = 10;
      }, "spec.scheduler.warmupEpochs"),
      "spec.architecture.width must be 16 or a multiple of 32 (other widths get wrong gradients on AVX-512 CPUs)",
      new BadCase(s -> s.architecture.width = 48, "spec.architecture.width"),
      RESNET_DEPTH_RULE, new BadCase(s -> s.architecture.depth = 20, "spec.architecture.depth"));

  static final String TRAINING_FIELDS_FIXED_WHILE_RUNNING = "spec training fields (architecture, dataset,"
      + " augmentation, loss, optimizer, scheduler, trainer, evaluation, distributed) cannot change while"
      + " the run is Running; suspend it or create a new run";

  static final ObjectMapper JSON = new ObjectMapper();

  static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", SimpleType.DYN) // an object for the type rules, a number for the width rule
      .addVar("oldSelf", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .build();

  static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  static List<Rule> rulesInCrd() throws Exception {
    JsonNode crd = new YAMLMapper().readTree(Path.of("contrastivetrainingruns.contrastive.dev-v1.yml").toFile());
    JsonNode root = crd.at("/spec/versions/0/schema/openAPIV3Schema");
    List<Rule> rules = new ArrayList<>();
    collect(root, List.of(), rules);
    return rules;
  }

  private static void collect(JsonNode schema, List<String> path, List<Rule> rules) {
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      if (rule.get("message").asText().startsWith("spec.template")) {
        continue; // generated from the operator's owned fields: TemplateCelRulesTest
      }
      rules.add(new Rule(path, rule.get("rule").asText(), rule.get("message").asText()));
    }
    schema.path("properties").fields().forEachRemaining(property -> {
      List<String> below = new ArrayList<>(path);
      below.add(property.getKey());
      collect(property.getValue(), below, rules);
    });
  }

  static ContrastiveTrainingRunSpec validSpec() {
    ContrastiveTrainingRunSpec spec = ConfigResolverTest.minimal();
    spec.dataset.type = "cifar10";
    spec.dataset.source = "/data/cifar10";
    spec.minNodes = 1;
    spec.maxNodes = 2;
    spec.workers = 2;
    spec.scheduler.warmupEpochs = 5;
    return ConfigResolver.resolve(spec);
  }

  static boolean evaluate(Rule rule, ContrastiveTrainingRunSpec spec) throws Exception {
    Object self = resource(spec, null);
    for (String key : rule.path()) {
      self = ((Map<?, ?>) self).get(key);
    }
    CelAbstractSyntaxTree ast = COMPILER.compile(rule.expression()).getAst();
    return (Boolean) RUNTIME.createProgram(ast).eval(Map.of("self", self));
  }

  /** The resource as the API server hands it to a root rule; no status when phase is null. */
  static Map<String, Object> resource(ContrastiveTrainingRunSpec spec, String phase) {
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("spec", celValue(JSON.convertValue(spec, Map.class)));
    if (phase != null) {
      run.put("status", Map.of("phase", phase));
    }
    return run;
  }

  /** Whether the transition rule lets an update from {@code before} (in {@code phase}) to {@code after} through. */
  static boolean updateAllowed(String phase, ContrastiveTrainingRunSpec before, ContrastiveTrainingRunSpec after)
      throws Exception {
    Rule rule = rulesInCrd().stream()
        .filter(r -> r.message().equals(TRAINING_FIELDS_FIXED_WHILE_RUNNING))
        .findFirst().orElseThrow();
    assertThat(rule.path()).as("a root rule: it reads the status").isEmpty();
    CelAbstractSyntaxTree ast = COMPILER.compile(rule.expression()).getAst();
    // The operator writes status through the subresource, so a spec update keeps the old status.
    return (Boolean) RUNTIME.createProgram(ast)
        .eval(Map.of("self", resource(after, phase), "oldSelf", resource(before, phase)));
  }

  static ContrastiveTrainingRunSpec withOtherLearningRate() {
    ContrastiveTrainingRunSpec spec = validSpec();
    spec.optimizer.lr = spec.optimizer.lr * 2;
    return spec;
  }


  @Test
  void crdHasRulesAndEachHasABadCase() throws Exception {
    List<String> messages = rulesInCrd().stream().map(Rule::message).toList();

    assertThat(messages).isNotEmpty();
    List<String> covered = new ArrayList<>(CASES.keySet());
    covered.add(TRAINING_FIELDS_FIXED_WHILE_RUNNING);
    assertThat(covered).as("one bad case per CEL rule of the CRD").containsExactlyInAnyOrderElementsOf(messages);
  }

  @TestFactory
  Stream<DynamicTest> eachRuleAcceptsTheValidSpecAndRejectsItsBadCase() throws Exception {
    return rulesInCrd().stream().filter(rule -> !rule.expression().contains("oldSelf"))
        .map(rule -> DynamicTest.dynamicTest(rule.message(), () -> {
      BadCase bad = CASES.get(rule.message());
      assertThat(bad).as("no bad case for CEL rule '%s'", rule.expression()).isNotNull();
      ContrastiveTrainingRunSpec valid = validSpec();
      ContrastiveTrainingRunSpec broken = validSpec();
      bad.breakIt().accept(broken);

      assertThat(evaluate(rule, valid)).as("valid spec").isTrue();
      assertThat(evaluate(rule, broken)).as("bad spec").isFalse();
      assertThatThrownBy(() -> ConfigResolver.resolve(broken))
          .isInstanceOfSatisfying(InvalidConfigException.class,
              e -> assertThat(e.field()).isEqualTo(bad.resolverField()));
    }));
  }

  /**
   * Before presets are merged the API server sees only what the user wrote: the ResNet depth rule
   * takes the family from spec.architecture.family, else from the preset, as ConfigResolver does.
   */
  @ParameterizedTest(name = "preset {0}, family {1}, depth {2}: accepted {3}")
  @CsvSource({
      "resnet50,, 20, false", "resnet50,, 101, true", "resnet18,, 152, true", ",, 19, false",
      "mixer_s4,, 20, true", "mixer_s4, resnet, 20, false", "resnet18, mixer, 20, true",
      "parallel_vit_ti4,, 3, true", "resnet152,, 200, false"})
  void resnetDepthRuleTakesTheFamilyFromTheSpecOrItsPresetAsTheResolverDoes(
      String preset, String family, int depth, boolean accepted) throws Exception {
    Rule rule = rulesInCrd().stream().filter(r -> r.message().equals(RESNET_DEPTH_RULE)).findFirst().orElseThrow();
    ContrastiveTrainingRunSpec spec = ConfigResolverTest.minimal();
    spec.architecture.preset = preset;
    spec.architecture.family = family;
    spec.architecture.depth = depth;
    // what any family needs, so that a family set over another family's preset is complete
    spec.architecture.stem = "cifar";
    spec.architecture.patchSize = 4;
    spec.architecture.mlpRatio = 4.0;
    spec.architecture.heads = 1;
    spec.architecture.qkNorm = true;
    spec.dataset.imageSize = 32;

    assertThat(evaluate(rule, spec)).isEqualTo(accepted);
    if (accepted) {
      ContrastiveTrainingRunSpec resolved = ConfigResolver.resolve(spec);
      assertThat(resolved.architecture.depth).isEqualTo(depth);
    } else {
      assertThatThrownBy(() -> ConfigResolver.resolve(spec))
          .isInstanceOfSatisfying(InvalidConfigException.class,
              e -> assertThat(e.field()).isEqualTo("spec.architecture.depth"));
    }
  }

  @Test
  void learningRateChangeWhileRunningIsRefused() throws Exception {
    assertThat(updateAllowed("Running", validSpec(), withOtherLearningRate())).isFalse();
  }

  @Test
  void removingATrainingGroupWhileRunningIsRefused() throws Exception {
    ContrastiveTrainingRunSpec without = validSpec();
    without.optimizer = null;

    assertThat(updateAllowed("Running", validSpec(), without)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Pending", "Suspended", "Succeeded", "Failed"})
  void learningRateChangeOutsideRunningIsAccepted(String phase) throws Exception {
    assertThat(updateAllowed(phase, validSpec(), withOtherLearningRate())).isTrue();
  }

  @Test
  void learningRateChangeBeforeTheOperatorWroteAStatusIsAccepted() throws Exception {
    assertThat(updateAllowed(null, validSpec(), withOtherLearningRate())).isTrue();
  }

  @Test
  void suspendingWhileRunningIsAccepted() throws Exception {
    ContrastiveTrainingRunSpec suspended = validSpec();
    suspended.runPolicy.suspend = true;

    assertThat(updateAllowed("Running", validSpec(), suspended)).isTrue();
  }

  @Test
  void imageChangeWhileRunningIsAccepted() throws Exception {
    ContrastiveTrainingRunSpec otherImage = validSpec();
    otherImage.image = otherImage.image + "-patched";

    assertThat(updateAllowed("Running", validSpec(), otherImage)).isTrue();
  }

  /** The groups the transition rule compares are {@link TrainingFields#GROUPS}, no more, no fewer. */
  @Test
  void theTransitionRuleFixesExactlyTheTrainingFields() throws Exception {
    Rule rule = rulesInCrd().stream().filter(r -> r.message().equals(TRAINING_FIELDS_FIXED_WHILE_RUNNING))
        .findFirst().orElseThrow();
    List<String> compared = java.util.regex.Pattern.compile("self\\.spec\\.(\\w+) == oldSelf").matcher(rule.expression())
        .results().map(m -> m.group(1)).toList();

    assertThat(compared).containsExactlyElementsOf(TrainingFields.GROUPS);
  }

  /** Each top-level spec field: the rule refuses its edit while Running exactly when TrainingFields names it. */
  @ParameterizedTest
  @ValueSource(strings = {"architecture", "dataset", "augmentation", "loss", "optimizer", "scheduler", "trainer",
      "evaluation", "distributed", "image", "resources", "nodeSelector", "workers", "maxNodes", "runPolicy", "metrics",
      "checkpoint", "tracking", "priorityClassName"})
  void theRuleAndTrainingFieldsDecideAlike(String field) throws Exception {
    ContrastiveTrainingRunSpec before = validSpec();
    Map<String, Object> edited = JSON.convertValue(before, Map.class);
    edited.remove(field);
    ContrastiveTrainingRunSpec after = JSON.convertValue(edited, ContrastiveTrainingRunSpec.class);
    // Removed groups come back as their defaults; a field without one is removed outright.
    java.lang.reflect.Field javaField = ContrastiveTrainingRunSpec.class.getField(field);
    if (JSON.valueToTree(javaField.get(after)).equals(JSON.valueToTree(javaField.get(before)))) {
      javaField.set(after, null);
    }

    boolean fixed = TrainingFields.GROUPS.contains(field);
    assertThat(updateAllowed("Running", before, after)).as("CEL allows the edit").isEqualTo(!fixed);
    assertThat(TrainingFields.changed(JSON.valueToTree(before), JSON.valueToTree(after)).isEmpty())
        .as("TrainingFields sees no change").isEqualTo(!fixed);
  }
}
