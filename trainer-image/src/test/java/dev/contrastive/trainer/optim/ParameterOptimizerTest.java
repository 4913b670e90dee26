package dev.contrastive.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.contrastive.api.spec.OptimizerSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ParameterOptimizerTest {

  @Test
  void stepUpdatesTrainableParametersAndZeroesTheirGradients() {
    try (NDManager manager = NDManager.newBaseManager();
        ParameterOptimizer optimizer = new Sgd(manager, 0.9, 0.0)) {
      Block block = tinyNet(manager, 1);
      Map<String, float[]> before = snapshot(block);
      backward(block, manager);
      optimizer.step(block.getParameters(), 0.1f);
      for (Pair<String, Parameter> p : block.getParameters()) {
        NDArray array = p.getValue().getArray();
        if (p.getValue().requiresGradient()) {
          assertThat(array.toFloatArray()).as(p.getKey()).isNotEqualTo(before.get(p.getKey()));
          assertThat(array.getGradient().abs().sum().getFloat()).as(p.getKey()).isZero();
        }
      }
    }
  }

  @Test
  void restoredStateContinuesBitExactly() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block straight = tinyNet(manager, 7);
      Block resumed = tinyNet(manager, 7);
      try (ParameterOptimizer first = new AdamW(manager, 0.9, 0.999, 1e-8, 0.05);
          ParameterOptimizer second = new AdamW(manager, 0.9, 0.999, 1e-8, 0.05)) {
        for (int i = 0; i < 2; i++) {
          backward(straight, manager);
          first.step(straight.getParameters(), 0.01f);
          backward(resumed, manager);
          second.step(resumed.getParameters(), 0.01f);
        }
        Map<String, NDArray> saved = new HashMap<>();
        second.stateDict().forEach((k, v) -> saved.put(k, v.duplicate()));
        try (ParameterOptimizer restarted = new AdamW(manager, 0.9, 0.999, 1e-8, 0.05)) {
          restarted.loadStateDict(saved);
          backward(straight, manager);
          first.step(straight.getParameters(), 0.01f);
          backward(resumed, manager);
          restarted.step(resumed.getParameters(), 0.01f);
        }
      }
      assertThat(snapshot(resumed)).containsExactlyInAnyOrderEntriesOf(snapshot(straight));
    }
  }

  @Test
  void stepOnAThreadThatDidNotLoadTheEngineMatchesTheEngineThread() throws Exception {
    Map<String, float[]> onThisThread = trainTwoSteps();
    AtomicReference<Object> onOtherThread = new AtomicReference<>();
    // libtorch starts each thread with grad mode on; DJL turns it off on the engine's thread only
    Thread other = new Thread(() -> {
      try {
        boolean gradModeBefore = JniUtils.isGradMode();
        Map<String, float[]> values = trainTwoSteps();
        assertThat(JniUtils.isGradMode()).as("grad mode restored after step").isEqualTo(gradModeBefore);
        onOtherThread.set(values);
      } catch (Throwable e) {
        onOtherThread.set(e);
      }
    });
    other.start();
    other.join();

    assertThat(onOtherThread.get()).isNotInstanceOf(Throwable.class);
    @SuppressWarnings("unchecked")
    Map<String, float[]> values = (Map<String, float[]>) onOtherThread.get();
    assertThat(values).containsExactlyInAnyOrderEntriesOf(onThisThread);
  }

  private static Map<String, float[]> trainTwoSteps() {
    try (NDManager manager = NDManager.newBaseManager();
        ParameterOptimizer optimizer = new Sgd(manager, 0.9, 1e-4)) {
      Block block = tinyNet(manager, 3);
      for (int i = 0; i < 2; i++) {
        backward(block, manager);
        optimizer.step(block.getParameters(), 0.1f);
      }
      return snapshot(block);
    }
  }

  @Test
  void factoryNamesTheMissingField() {
    OptimizerSpec spec = new OptimizerSpec();
    spec.type = "lars";
    spec.momentum = 0.9;
    spec.weightDecay = 1e-6;
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> Optimizers.create(spec, manager))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("optimizer.trustCoefficient is not set");
    }
  }

  /** Linear, BatchNorm, ReLU, Linear on (4, 3) inputs, the same weights for the same seed. */
  private static Block tinyNet(NDManager manager, int seed) {
    Engine.getInstance().setRandomSeed(seed);
    SequentialBlock block =
        new SequentialBlock()
            .add(Linear.builder().setUnits(5).build())
            .add(BatchNorm.builder().build())
            .add(Activation::relu)
            .add(Linear.builder().setUnits(2).build());
    block.initialize(manager, DataType.FLOAT32, new Shape(4, 3));
    return block;
  }

  private static void backward(Block block, NDManager manager) {
    try (NDManager step = manager.newSubManager();
        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray input = step.create(new float[] {1, 2, 3, -1, 0, 1, 2, 2, -2, 0.5f, 1, 0}, new Shape(4, 3));
      NDArray out = block.forward(new ParameterStore(step, false), new NDList(input), true).head();
      collector.backward(out.square().mean());
    }
  }

  private static Map<String, float[]> snapshot(Block block) {
    Map<String, float[]> values = new HashMap<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      values.put(p.getKey(), p.getValue().getArray().toFloatArray());
    }
    return values;
  }
}
