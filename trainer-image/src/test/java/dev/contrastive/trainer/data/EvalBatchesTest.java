package dev.contrastive.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvalBatchesTest {

  @Test
  void coversEveryImageInOrderResizedToTheTrainingSize() {
    DatasetSplits data = SyntheticImages.generate(3, 10, 7, 8, 1);
    List<Integer> labels = new ArrayList<>();
    List<Long> batchSizes = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager();
        Prefetcher<EvalBatches.Batch> batches =
            EvalBatches.of(data.heldOut(), 3, 12, data.stats(), manager, 2)) {
      while (batches.hasNext()) {
        try (EvalBatches.Batch batch = batches.next()) {
          assertThat(batch.images().getShape().slice(1).getShape()).containsExactly(3, 12, 12);
          batchSizes.add(batch.images().getShape().get(0));
          for (int label : batch.labels()) {
            labels.add(label);
          }
        }
      }
    }
    assertThat(batchSizes).containsExactly(3L, 3L, 1L);
    assertThat(labels).containsExactly(0, 1, 2, 0, 1, 2, 0);
  }
}
