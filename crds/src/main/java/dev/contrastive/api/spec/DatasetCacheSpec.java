package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/**
 * Where a Hub data set is cached: a volume of its own, else a folder on the checkpoint volume, so
 * that a restarted gang and later runs find the files already there.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatasetCacheSpec {

  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription("PersistentVolumeClaim for the cache (ReadWriteMany lets all nodes share one download);"
      + " without it the cache is the folder huggingface on the checkpoint volume.")
  public String claimName;

  @Pattern("^/.*")
  @JsonPropertyDescription("Mount path of the cache claim in the worker pods (default /cache/huggingface); HF_HOME"
      + " points there.")
  public String mountPath;
}
