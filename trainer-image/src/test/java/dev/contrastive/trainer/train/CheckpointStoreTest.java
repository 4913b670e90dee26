package dev.contrastive.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

  @TempDir Path dir;

  static Block tinyNet(NDManager manager, long seedOffset) {
    SequentialBlock block = new SequentialBlock().add(Linear.builder().setUnits(4).build()).add(BatchNorm.builder().build());
    manager.getEngine().setRandomSeed((int) (7 + seedOffset));
    block.initialize(manager, DataType.FLOAT32, new Shape(2, 3));
    return block;
  }

  @Test
  void roundTripsParametersBatchNormStatisticsAndOptimizerState() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block saved = tinyNet(manager, 0);
      // A training-mode forward moves the BatchNorm running statistics away from their init.
      saved.forward(new ParameterStore(manager, false), new ai.djl.ndarray.NDList(manager.randomNormal(new Shape(2, 3))), true, new PairList<>());
      NDArray momentum = manager.create(new float[] {0.5f, -1.25f});
      CheckpointStore store = new CheckpointStore(dir, 3);
      store.save(new TrainingState(2, 40, 42), saved, Map.of("0.weight.momentum", momentum));

      Checkpoint latest = store.latest().orElseThrow();
      assertThat(latest.state()).isEqualTo(new TrainingState(2, 40, 42));
      Block restored = tinyNet(manager, 1);
      latest.loadParametersInto(restored, manager);
      for (var pair : saved.getParameters()) {
        NDArray expected = pair.getValue().getArray();
        NDArray actual = restored.getParameters().get(pair.getKey()).getArray();
        assertThat(actual.toFloatArray()).as(pair.getKey()).containsExactly(expected.toFloatArray());
      }
      assertThat(latest.optimizerState(manager).get("0.weight.momentum").toFloatArray()).containsExactly(0.5f, -1.25f);
    }
  }

  @Test
  void keepsOnlyTheNewestAndPicksTheHighestStep() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = tinyNet(manager, 0);
      CheckpointStore store = new CheckpointStore(dir, 2);
      for (int epoch = 1; epoch <= 4; epoch++) {
        store.save(new TrainingState(epoch, epoch * 10L, 42), block, Map.of());
      }
      assertThat(store.folders()).extracting(p -> p.getFileName().toString())
          .containsExactly("ckpt-e00003-s0000000030", "ckpt-e00004-s0000000040");
      assertThat(store.latest().orElseThrow().state().step()).isEqualTo(40);
    }
  }

  @Test
  void ignoresAnInterruptedWrite() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      CheckpointStore store = new CheckpointStore(dir, 3);
      store.save(new TrainingState(1, 10, 42), tinyNet(manager, 0), Map.of());
      // What a crash mid-save leaves behind: a temp folder, and a folder without its state file.
      Files.createDirectories(dir.resolve(".tmp-ckpt-e00002-s0000000020-123"));
      Files.createDirectories(dir.resolve("ckpt-e00002-s0000000020"));
      assertThat(store.latest().orElseThrow().state().epochsDone()).isEqualTo(1);
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.count()).isEqualTo(3);
      }
    }
  }

  @Test
  void emptyWhenNothingWasSaved() {
    assertThat(new CheckpointStore(dir.resolve("none"), 3).latest()).isEmpty();
  }
}
