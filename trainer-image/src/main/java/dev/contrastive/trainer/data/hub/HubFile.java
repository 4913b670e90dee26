package dev.contrastive.trainer.data.hub;

/**
 * A file of a repository as the Hub's tree API lists it.
 *
 * @param oid the git blob id (SHA-1)
 * @param sha256 the SHA-256 the Hub publishes for a file stored in LFS (large files, Parquet
 *     shards), else null
 */
record HubFile(String path, long size, String oid, String sha256) {

  /** The blob's name in the cache, as huggingface_hub names it (the ETag the Hub sends). */
  String etag() {
    return sha256 != null ? sha256 : oid;
  }
}
