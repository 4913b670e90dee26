package dev.contrastive.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/**
 * Where Hugging Face Hub downloads are kept (HF_HOME of every trainer process): a claim the user
 * names, which restarted gangs and later runs find already filled, else an emptyDir that lives and
 * dies with each worker pod.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatasetCacheSpec {

  /** Where the cache volume is mounted unless {@link #mountPath} says otherwise. */
  public static final String DEFAULT_MOUNT_PATH = "/cache/huggingface";

  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription("PersistentVolumeClaim for the cache, kept across gang restarts and runs (ReadWriteMany"
      + " lets all nodes share one download); without it the cache is an emptyDir of each worker pod, and a"
      + " restarted gang downloads again.")
  public String claimName;

  @Pattern("^/.*")
  @JsonPropertyDescription("Mount path of the cache claim in the worker pods (default /cache/huggingface); HF_HOME"
      + " points there.")
  public String mountPath;

  /** The mount path of the cache volume, which is also HF_HOME. */
  public static String mountPathOf(DatasetSpec dataset) {
    return dataset == null || dataset.cache == null || dataset.cache.mountPath == null
        ? DEFAULT_MOUNT_PATH : dataset.cache.mountPath;
  }
}
