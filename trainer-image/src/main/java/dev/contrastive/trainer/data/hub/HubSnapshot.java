package dev.contrastive.trainer.data.hub;

import java.nio.file.Path;
import java.util.List;

/**
 * A repository at one commit in the local cache.
 *
 * @param revision what the spec asked for (main), or refs/convert/parquet when the Parquet files
 *     came from the Hub's conversion branch
 * @param parquetFiles every Parquet file of the repository at that commit (downloaded or not)
 */
record HubSnapshot(String repo, String revision, String commit, Path dir, List<String> parquetFiles) {

  HubSnapshot {
    parquetFiles = List.copyOf(parquetFiles);
  }

  String describe() {
    return repo + "@" + revision;
  }
}
