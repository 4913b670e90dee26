package dev.contrastive.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.api.spec.EvaluationSpec;
import dev.contrastive.trainer.data.ChannelStats;
import dev.contrastive.trainer.data.DataException;
import dev.contrastive.trainer.data.DatasetSplits;
import dev.contrastive.trainer.data.LabelledImages;
import java.util.List;
import org.junit.jupiter.api.Test;

/** evaluation.knnTrainImages: the kNN evaluation's training images, and a refusal of what cannot fit. */
class KnnTrainImagesTest {

  @Test
  void aCapTakesThatManyTrainingImagesEvenlySpacedOverTheWholeSplit() {
    // labels by position, as a split whose shards are sorted by class would have them
    EvaluationSpec spec = new EvaluationSpec();
    spec.knnTrainImages = 10;
    KnnEvaluation evaluation = new KnnEvaluation(splits(1000, 100), spec, 1);

    assertThat(evaluation.trainImages()).isEqualTo(10);
    spec.knnTrainImages = 0;
    assertThat(new KnnEvaluation(splits(1000, 100), spec, 1).trainImages()).isEqualTo(1000);
    // every tenth class: all parts of the split, not its first shard
    assertThat(dev.contrastive.trainer.data.Datasets.evenlySpaced(images(1000), 10).label(9)).isEqualTo(900 / 10);
  }

  @Test
  void imageNetsWholeTrainingSplitIsRefusedBeforeTrainingNamingTheSetting() {
    EvaluationSpec spec = new EvaluationSpec();
    KnnEvaluation all = new KnnEvaluation(splits(1_281_167, 50_000), spec, 1);

    assertThatThrownBy(() -> all.checkFits(2048))
        .isInstanceOf(DataException.class)
        .hasMessage("evaluation.knnTrainImages: the kNN evaluation would hold the features of 1281167 training"
            + " images (2048 floats each, 10 GB) on every rank; at most 262143 fit: set evaluation.knnTrainImages"
            + " to 262143 or fewer (dataset.maxTestImages likewise for the held-out split)");

    spec.knnTrainImages = 200_000;
    new KnnEvaluation(splits(1_281_167, 50_000), spec, 1).checkFits(2048);
  }

  private static DatasetSplits splits(int train, int heldOut) {
    return new DatasetSplits(images(train), images(heldOut), classes(), ChannelStats.IMAGENET);
  }

  private static List<String> classes() {
    return java.util.stream.IntStream.range(0, 1000).mapToObj(Integer::toString).toList();
  }

  /** Labels only: image i has class i / (size / 100), as in a split stored class by class. */
  private static LabelledImages images(int size) {
    return new LabelledImages() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public int imageSize() {
        return 8;
      }

      @Override
      public int label(int index) {
        return (int) ((long) index * 100 / size);
      }

      @Override
      public void readInto(int index, byte[] target, int offset) {
        throw new UnsupportedOperationException("labels only");
      }
    };
  }
}
