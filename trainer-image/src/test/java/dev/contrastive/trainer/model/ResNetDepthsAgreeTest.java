package dev.contrastive.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.contrastive.api.config.ConfigOverrides;
import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.api.spec.ArchitectureSpec;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A ResNet depth that the run's checks accept (the ones {@code kubectl apply}'s operator and
 * {@code trainer config} apply) is one the trainer builds, and one they refuse it refuses too:
 * every depth in the schema's range, so a worker never learns of a bad depth after its pod started.
 */
@Tag("slow") // about 30-50 s on a loaded 2-core machine
class ResNetDepthsAgreeTest {

  @Test
  void everyDepthInTheSchemaRangeIsAcceptedExactlyWhenTheTrainerBuildsIt() throws Exception {
    var field = ArchitectureSpec.class.getField("depth");
    int min = (int) field.getAnnotation(Min.class).value();
    int max = (int) field.getAnnotation(Max.class).value();
    List<Integer> accepted = new ArrayList<>();
    for (int depth = min; depth <= max; depth++) {
      ArchitectureSpec architecture;
      try {
        architecture = resolve(depth).architecture;
      } catch (InvalidConfigException refused) {
        assertThat(refused.field()).isEqualTo("spec.architecture.depth");
        int refusedDepth = depth;
        assertThatThrownBy(() -> Encoders.create(resnet(refusedDepth), 8))
            .as("depth %d is refused by the checks but built by the trainer", depth)
            .isInstanceOf(IllegalArgumentException.class);
        continue;
      }
      accepted.add(depth);
      int featureDim = depth < 50 ? 8 * 16 : 32 * 16;
      assertThat(features(architecture)).as("ResNet-%d", depth).isEqualTo(new Shape(1, featureDim));
    }
    assertThat(accepted).containsExactly(18, 34, 50, 101, 152);
  }

  private static ContrastiveTrainingRunSpec resolve(int depth) {
    ContrastiveTrainingRunSpec spec = new ContrastiveTrainingRunSpec();
    spec.image = "registry.example/trainer:1";
    return ConfigResolver.resolve(ConfigOverrides.apply(spec, List.of("dataset.imageSize=8",
        "architecture=resnet50", "architecture.width=16", "architecture.depth=" + depth)));
  }

  private static ArchitectureSpec resnet(int depth) {
    ArchitectureSpec spec = new ArchitectureSpec();
    spec.family = "resnet";
    spec.depth = depth;
    spec.width = 16;
    spec.stem = "cifar";
    return spec;
  }

  /** Builds, initialises and runs the encoder on one 8 px image; the shape of its features. */
  private static Shape features(ArchitectureSpec architecture) {
    try (NDManager manager = NDManager.newBaseManager()) {
      Encoder encoder = Encoders.create(architecture, 8);
      encoder.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 8, 8));
      NDList out = encoder.forward(new ParameterStore(manager, false),
          new NDList(manager.randomUniform(0, 1, new Shape(1, 3, 8, 8))), false);
      return out.singletonOrThrow().getShape();
    }
  }
}
