package dev.contrastive.trainer.data.hub;

import dev.contrastive.api.spec.DatasetSpec;
import dev.contrastive.trainer.data.ChannelStats;
import dev.contrastive.trainer.data.DataException;
import dev.contrastive.trainer.data.DatasetSplits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Opens a Hugging Face Hub data set ({@code dataset.type: huggingface}): the Parquet files of its
 * training and evaluation splits, from the repository's own files or else (for {@code main}) from
 * the Hub's refs/convert/parquet branch, downloaded into the local cache ({@link HubDownloader})
 * or, with HF_HUB_OFFLINE, found there. Labels are read up front; images when
 * batches need them ({@link ParquetImages}). Class names come from the {@code datasets} library's
 * metadata in the files (ClassLabel), else they are the label numbers.
 */
public final class HubDatasets {

  /** The branch where the Hub keeps a Parquet conversion of data sets stored otherwise. */
  public static final String PARQUET_BRANCH = "refs/convert/parquet";

  private HubDatasets() {}

  /** How long a download may receive nothing before it is dropped and resumed. */
  static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);
  /** How often progress lines are written while downloading. */
  static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(10);

  /**
   * Downloads what the cache lacks of the two splits (nothing with HF_HUB_OFFLINE), then opens them.
   *
   * @param progress receives download progress lines ({@code downloading ...: 12/294 shards, ...})
   *     and a line for each failed attempt that will be retried
   * @throws DataException naming the setting, file or repository when the data cannot be used
   * @throws HubUnavailableException when the Hub cannot be reached, even after retries
   */
  public static DatasetSplits open(DatasetSpec spec, HubSettings settings, Consumer<String> progress) {
    return open(spec, settings, progress, Backoff.DEFAULT, STALL_TIMEOUT, PROGRESS_INTERVAL);
  }

  /**
   * Brings what the cache lacks of the two splits into it (with HF_HUB_OFFLINE: checks that the
   * cache has them), without reading them: the trainer does this once per pod before its processes
   * start and join the gang, so that no rank waits in a collective for another node's download.
   *
   * @throws DataException naming the setting, file or repository when the data cannot be used
   * @throws HubUnavailableException when the Hub cannot be reached, even after retries
   */
  public static void download(DatasetSpec spec, HubSettings settings, Consumer<String> progress) {
    download(spec, settings, progress, Backoff.DEFAULT, STALL_TIMEOUT, PROGRESS_INTERVAL);
  }

  static void download(DatasetSpec spec, HubSettings settings, Consumer<String> progress, Backoff backoff,
      Duration stallTimeout, Duration progressInterval) {
    snapshot(spec, settings, progress, backoff, stallTimeout, progressInterval);
  }

  static DatasetSplits open(DatasetSpec spec, HubSettings settings, Consumer<String> progress, Backoff backoff,
      Duration stallTimeout, Duration progressInterval) {
    HubSnapshot snapshot = snapshot(spec, settings, progress, backoff, stallTimeout, progressInterval);
    SplitChoice choice = SplitChoice.of(spec, snapshot.parquetFiles(), snapshot.describe());
    return read(snapshot, choice, spec);
  }

  private static HubSnapshot snapshot(DatasetSpec spec, HubSettings settings, Consumer<String> progress,
      Backoff backoff, Duration stallTimeout, Duration progressInterval) {
    if (spec.imageSize == null) {
      throw new DataException("dataset.imageSize is required for dataset.type huggingface");
    }
    if (spec.source == null) {
      throw new DataException("dataset.source is required for dataset.type huggingface (a Hub repository id such as"
          + " ILSVRC/imagenet-1k)");
    }
    HubSnapshot snapshot = settings.offline()
        ? cached(spec, settings)
        : new HubDownloader(settings, new HubClient(settings, backoff, stallTimeout, progress), progress, progressInterval,
            Clock.systemUTC()).fetch(spec);
    SplitChoice.of(spec, snapshot.parquetFiles(), snapshot.describe()); // a missing split fails here
    return snapshot;
  }

  /** The data set as the cache has it, without asking the Hub (HF_HUB_OFFLINE). */
  static HubSnapshot cached(DatasetSpec spec, HubSettings settings) {
    String revision = revision(spec);
    HubCache cache = new HubCache(settings.cache(), spec.source);
    Optional<HubSnapshot> own = cachedAt(cache, spec.source, revision);
    if (own.isPresent() && SplitChoice.hasSplit(own.get().parquetFiles(), spec) || !"main".equals(revision)) {
      return own.orElseThrow(() -> notCached(spec, settings, cache, revision));
    }
    Optional<HubSnapshot> converted = cachedAt(cache, spec.source, PARQUET_BRANCH);
    if (converted.isPresent() && SplitChoice.hasSplit(converted.get().parquetFiles(), spec)) {
      return converted.get();
    }
    if (own.isPresent()) {
      return own.get(); // SplitChoice names the splits it has
    }
    throw notCached(spec, settings, cache, revision);
  }

  private static DataException notCached(DatasetSpec spec, HubSettings settings, HubCache cache, String revision) {
    return new DataException("dataset.source " + spec.source + "@" + revision + " is not in the Hugging Face cache at "
        + cache.dir() + (settings.offline()
            ? " and HF_HUB_OFFLINE is set; run once with the Hub reachable, or fill the cache with huggingface-cli download"
            : ""));
  }

  /** A finished earlier download of the spec's revision, to train from when the Hub cannot be reached. */
  static Optional<HubSnapshot> cachedDownload(HubCache cache, DatasetSpec spec) {
    for (String revision : List.of(revision(spec), PARQUET_BRANCH)) {
      Optional<String> commit = cache.commitOf(revision);
      Optional<List<String>> files = commit.flatMap(cache::parquetFiles);
      if (files.isPresent() && SplitChoice.hasSplit(files.get(), spec)) {
        return Optional.of(new HubSnapshot(spec.source, revision, commit.get(), cache.snapshot(commit.get()),
            files.get()));
      }
      if (!"main".equals(revision(spec))) {
        break;
      }
    }
    return Optional.empty();
  }

  private static Optional<HubSnapshot> cachedAt(HubCache cache, String repo, String revision) {
    return cache.commitOf(revision).map(commit -> new HubSnapshot(repo, revision, commit, cache.snapshot(commit),
        cache.parquetFiles(commit).orElseGet(() -> cache.parquetFilesIn(commit))));
  }

  static DatasetSplits read(HubSnapshot snapshot, SplitChoice choice, DatasetSpec spec) {
    String imageColumn = spec.imageColumn == null ? "image" : spec.imageColumn;
    String labelColumn = spec.labelColumn == null ? "label" : spec.labelColumn;
    int shuffleShards = spec.shuffleShards == null ? 2 : spec.shuffleShards;
    List<ParquetShard> train = shards(snapshot, choice.trainFiles(), imageColumn, labelColumn);
    List<ParquetShard> eval = shards(snapshot, choice.evalFiles(), imageColumn, labelColumn);
    Labels trainLabels = Labels.of(train);
    Labels evalLabels = Labels.of(eval);
    List<String> classes = train.get(0).classNames();
    if (classes == null) {
      classes = new ArrayList<>();
      for (int c = 0; c <= Math.max(trainLabels.max(), evalLabels.max()); c++) {
        classes.add(Integer.toString(c));
      }
    }
    trainLabels.check(classes.size(), "dataset.trainSplit '" + choice.trainSplit() + "'");
    evalLabels.check(classes.size(), "dataset.evalSplit '" + choice.evalSplit() + "'");
    return new DatasetSplits(
        new ParquetImages(train, trainLabels.bounds(), trainLabels.all(), spec.imageSize, shuffleShards),
        new ParquetImages(eval, evalLabels.bounds(), evalLabels.all(), spec.imageSize, shuffleShards),
        classes,
        ChannelStats.IMAGENET);
  }

  static String revision(DatasetSpec spec) {
    return spec.revision == null ? "main" : spec.revision;
  }

  private static List<ParquetShard> shards(
      HubSnapshot snapshot, List<String> files, String imageColumn, String labelColumn) {
    List<ParquetShard> shards = new ArrayList<>();
    for (String file : files) {
      Path path = snapshot.dir().resolve(file);
      if (!Files.isRegularFile(path)) {
        throw new DataException(path + ": not in the Hugging Face cache (" + snapshot.describe()
            + "); run with the Hub reachable to download it");
      }
      shards.add(new ParquetShard(path, imageColumn, labelColumn));
    }
    return shards;
  }

  /** The labels of a split's shards, concatenated, with where each shard starts. */
  private record Labels(int[] all, int[] bounds, List<ParquetShard> shards) {

    static Labels of(List<ParquetShard> shards) {
      List<int[]> perShard = new ArrayList<>();
      int[] bounds = new int[shards.size() + 1];
      long total = 0;
      for (int s = 0; s < shards.size(); s++) {
        int[] labels = shards.get(s).labels();
        perShard.add(labels);
        total += labels.length;
        if (total > Integer.MAX_VALUE) {
          throw new DataException(shards.get(s).file() + ": the split has more than " + Integer.MAX_VALUE + " images");
        }
        bounds[s + 1] = (int) total;
      }
      int[] all = new int[(int) total];
      for (int s = 0; s < shards.size(); s++) {
        System.arraycopy(perShard.get(s), 0, all, bounds[s], perShard.get(s).length);
      }
      return new Labels(all, bounds, shards);
    }

    int max() {
      int max = -1;
      for (int label : all) {
        max = Math.max(max, label);
      }
      return max;
    }

    /** Every label a class; -1 is how the Hub marks a split without labels (ImageNet's test). */
    void check(int classes, String split) {
      for (int s = 0; s < shards.size(); s++) {
        for (int i = bounds[s]; i < bounds[s + 1]; i++) {
          if (all[i] < 0 || all[i] >= classes) {
            throw new DataException(shards.get(s).file() + ": " + split + " row " + (i - bounds[s]) + " has label "
                + all[i] + (all[i] < 0 ? " (no label: the split is unlabelled; choose another split)"
                    : ", outside the " + classes + " classes"));
          }
        }
      }
    }
  }
}
