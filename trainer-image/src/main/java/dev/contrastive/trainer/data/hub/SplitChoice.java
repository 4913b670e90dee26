package dev.contrastive.trainer.data.hub;

import dev.contrastive.api.spec.DatasetSpec;
import dev.contrastive.trainer.data.DataException;
import java.util.ArrayList;
import java.util.List;

/**
 * The Parquet files of the training and the evaluation split. Without {@code dataset.evalSplit}
 * the evaluation split is validation, else test, as ImageNet and CIFAR-10 on the Hub name theirs.
 */
record SplitChoice(String trainSplit, List<String> trainFiles, String evalSplit, List<String> evalFiles) {

  static final List<String> EVAL_DEFAULTS = List.of("validation", "test");

  SplitChoice {
    trainFiles = List.copyOf(trainFiles);
    evalFiles = List.copyOf(evalFiles);
  }

  /** Every file both splits need. */
  List<String> files() {
    List<String> all = new ArrayList<>(trainFiles);
    evalFiles.stream().filter(f -> !all.contains(f)).forEach(all::add);
    return all;
  }

  /**
   * @param where names the repository and revision in messages
   * @throws DataException naming the setting and the splits found when a split has no files
   */
  static SplitChoice of(DatasetSpec spec, List<String> parquetFiles, String where) {
    String train = spec.trainSplit == null ? "train" : spec.trainSplit;
    List<String> trainFiles = SplitFiles.of(parquetFiles, train);
    if (trainFiles.isEmpty()) {
      throw new DataException("dataset.trainSplit '" + train + "': no Parquet files for it in " + where
          + found(parquetFiles));
    }
    if (spec.evalSplit != null) {
      List<String> evalFiles = SplitFiles.of(parquetFiles, spec.evalSplit);
      if (evalFiles.isEmpty()) {
        throw new DataException("dataset.evalSplit '" + spec.evalSplit + "': no Parquet files for it in " + where
            + found(parquetFiles));
      }
      return new SplitChoice(train, trainFiles, spec.evalSplit, evalFiles);
    }
    for (String candidate : EVAL_DEFAULTS) {
      List<String> evalFiles = SplitFiles.of(parquetFiles, candidate);
      if (!evalFiles.isEmpty()) {
        return new SplitChoice(train, trainFiles, candidate, evalFiles);
      }
    }
    throw new DataException("dataset.evalSplit: " + where + " has neither a validation nor a test split"
        + found(parquetFiles) + "; name the held-out split in dataset.evalSplit");
  }

  /** Whether {@code parquetFiles} hold the training split at all (else try the conversion branch). */
  static boolean hasSplit(List<String> parquetFiles, DatasetSpec spec) {
    return !SplitFiles.of(parquetFiles, spec.trainSplit == null ? "train" : spec.trainSplit).isEmpty();
  }

  private static String found(List<String> parquetFiles) {
    var names = SplitFiles.names(parquetFiles);
    return names.isEmpty() ? " (it has no Parquet files)" : " (splits found: " + String.join(", ", names) + ")";
  }
}
