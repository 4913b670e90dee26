package dev.contrastive.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.contrastive.api.config.ConfigOverrides;
import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.encoder.ArchitectureRules;
import dev.contrastive.api.encoder.EncoderFamily;
import dev.contrastive.api.spec.ArchitectureSpec;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * What the checks accept ({@code ConfigResolver}: the CRD schema's bounds and enums, its CEL rules
 * and the cross-field rules, as the operator and {@code trainer config} apply them), the trainer
 * builds: every preset, and for each encoder family every bound of every setting it is built from
 * (each just inside and just outside the schema's range, the others held small), and every choice.
 * A value either builds into a model that runs a forward pass on a tiny image, or is refused with
 * one line naming a field, never by the worker after its pod has started.
 */
@Tag("slow") // about 30-50 s on a loaded 2-core machine
class BuildableArchitecturesTest {

  /** A small base per family; each case changes one setting of it. */
  private static final Map<EncoderFamily, List<String>> SMALL = Map.of(
      EncoderFamily.RESNET, List.of("architecture=resnet18", "architecture.width=16"),
      EncoderFamily.MIXER, List.of("architecture=mixer_s4", "architecture.depth=1", "architecture.width=16",
          "architecture.mlpRatio=1"),
      EncoderFamily.PARALLEL_VIT, List.of("architecture=parallel_vit_ti4", "architecture.depth=1",
          "architecture.width=16", "architecture.heads=1", "architecture.mlpRatio=1"));

  private static final List<String> SMALL_HEAD = List.of("architecture.projectionHiddenDim=32",
      "architecture.projectionDim=16");

  private static final int IMAGE_SIZE = 32;

  /** Above this width a model's parameters take gigabytes: it is constructed, not initialised. */
  private static final int WIDEST_INITIALISED = 1024;

  @TestFactory
  Stream<DynamicTest> everyPresetBuildsAndRuns() {
    return EncoderFamily.allPresets().stream().map(preset -> DynamicTest.dynamicTest(preset, () -> {
      // 16 px: the presets' patches (4 and 16 px) tile it
      ContrastiveTrainingRunSpec resolved = resolve(List.of("architecture=" + preset, "dataset.imageSize=16"));
      assertThat(resolved.architecture.preset).isEqualTo(preset);
      assertThat(EncoderFamily.of(resolved.architecture.family).orElseThrow().presets()).contains(preset);
      assertBuildsAndRuns(resolved, false);
      // initialised and run narrower (up to 85 M parameters each would take minutes): 96 is a
      // multiple of 32 that every preset's head count (3, 6, 12) divides
      String narrow = "architecture.width=" + (resolved.architecture.family.equals("resnet") ? 16 : 96);
      assertBuildsAndRuns(resolve(List.of("architecture=" + preset, "dataset.imageSize=16", narrow)), true);
    }));
  }

  @Test
  void everyBoundOfEveryEncoderSettingBuildsOrIsRefusedInOneLine() throws Exception {
    Map<String, String> refusedInsideTheRange = new TreeMap<>();
    for (EncoderFamily family : EncoderFamily.values()) {
      List<String> keys = new ArrayList<>(family.settings());
      keys.addAll(List.of("projectionHiddenDim", "projectionDim"));
      for (String key : keys) {
        for (String value : boundaryValues(field(key))) {
          check(family, key, value, inRange(field(key), value), refusedInsideTheRange);
        }
      }
    }
    for (String stem : ArchitectureRules.choices("stem")) {
      check(EncoderFamily.RESNET, "stem", stem, true, refusedInsideTheRange);
    }

    // each refused for a rule between settings, in one line naming the field
    assertThat(refusedInsideTheRange).isEqualTo(Map.of(
        "mixer mlpRatio=0.001", "spec.architecture.mlpRatio",
        "mixer patchSize=64", "spec.architecture.patchSize",
        "parallel_vit patchSize=64", "spec.architecture.patchSize",
        "parallel_vit mlpRatio=0.001", "spec.architecture.mlpRatio",
        "parallel_vit heads=128", "spec.architecture.heads",
        "resnet depth=1", "spec.architecture.depth",
        "resnet depth=200", "spec.architecture.depth"));
  }

  /** Resolves the family's small base with {@code key=value}: refused in one line, or built. */
  private static void check(EncoderFamily family, String key, String value, boolean inRange,
      Map<String, String> refusedInsideTheRange) {
    String name = family.key() + " " + key + "=" + value;
    List<String> overrides = new ArrayList<>(SMALL.get(family));
    overrides.addAll(SMALL_HEAD);
    overrides.add("dataset.imageSize=" + IMAGE_SIZE);
    overrides.add("architecture." + key + "=" + value);
    ContrastiveTrainingRunSpec resolved;
    try {
      resolved = resolve(overrides);
    } catch (InvalidConfigException refused) {
      assertThat(refused.getMessage()).as(name).doesNotContain("\n").startsWith(refused.field() + ": ");
      if (!inRange) {
        assertThat(refused.field()).as(name).isEqualTo("spec.architecture." + key);
      } else {
        refusedInsideTheRange.put(name, refused.field());
      }
      return;
    }
    assertThat(inRange).as("%s is outside the schema's range but was accepted", name).isTrue();
    assertBuildsAndRuns(resolved, resolved.architecture.width <= WIDEST_INITIALISED);
  }

  private static ContrastiveTrainingRunSpec resolve(List<String> overrides) {
    ContrastiveTrainingRunSpec spec = new ContrastiveTrainingRunSpec();
    spec.image = "registry.example/trainer:1";
    return ConfigResolver.resolve(ConfigOverrides.apply(spec, overrides));
  }

  /** Builds the trainer's model; where {@code run}, initialises it and runs one image through it. */
  private static void assertBuildsAndRuns(ContrastiveTrainingRunSpec resolved, boolean run) {
    ArchitectureSpec architecture = resolved.architecture;
    int size = resolved.dataset.imageSize;
    SimClrModel model = SimClrModel.create(architecture, size);
    if (!run) {
      return;
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      model.initialize(manager, DataType.FLOAT32, new Shape(2, 3, size, size));
      NDList out = model.forward(new ParameterStore(manager, false),
          new NDList(manager.randomUniform(0, 1, new Shape(2, 3, size, size))), false);
      assertThat(out.get(0).getShape()).isEqualTo(new Shape(2, model.encoder().featureDim()));
      assertThat(out.get(1).getShape()).isEqualTo(new Shape(2, architecture.projectionDim));
      assertThat(out.get(1).isNaN().any().getBoolean()).as("NaN in the projections").isFalse();
    }
  }

  /** The schema's bounds of a numeric setting and the values just past them. */
  private static Set<String> boundaryValues(Field field) {
    Set<String> values = new LinkedHashSet<>();
    Min min = field.getAnnotation(Min.class);
    Max max = field.getAnnotation(Max.class);
    boolean integer = field.getType() == Integer.class;
    if (field.getType() == Boolean.class) {
      return Set.of("true", "false");
    }
    // width also has a CEL rule (16 or a multiple of 32): its minimum is 16, next to it 8 and 24
    double step = field.getName().equals("width") ? 8 : integer ? 1 : 0.001;
    if (min != null) {
      values.add(number(min.value() - (min.inclusive() ? step : 0), integer));
      values.add(number(min.value() + (min.inclusive() ? 0 : step), integer));
    }
    if (max != null) {
      values.add(number(max.value() - (max.inclusive() ? 0 : step), integer));
      values.add(number(max.value() + (max.inclusive() ? step : 0), integer));
    }
    return values;
  }

  private static boolean inRange(Field field, String value) {
    if (field.getType() == Boolean.class || field.getType() == String.class) {
      return true;
    }
    double v = Double.parseDouble(value);
    Min min = field.getAnnotation(Min.class);
    Max max = field.getAnnotation(Max.class);
    boolean aboveMin = min == null || (min.inclusive() ? v >= min.value() : v > min.value());
    boolean belowMax = max == null || (max.inclusive() ? v <= max.value() : v < max.value());
    boolean wholeWidth = !field.getName().equals("width") || v == 16 || v % 32 == 0;
    return aboveMin && belowMax && wholeWidth;
  }

  private static String number(double value, boolean integer) {
    return integer ? String.valueOf((long) value) : BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  private static Field field(String key) {
    try {
      return ArchitectureSpec.class.getField(key);
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
