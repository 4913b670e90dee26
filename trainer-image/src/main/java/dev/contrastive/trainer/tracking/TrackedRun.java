package dev.contrastive.trainer.tracking;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.api.spec.TrackingSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the backends file a run under: its experiment (null: the backend's default) and name, the
 * resolved config flattened to dotted keys, tags (namespace, uid, image, world size), and where
 * its checkpoints live.
 */
public record TrackedRun(
    String experiment, String runName, Map<String, String> params, Map<String, String> tags, Path checkpointRoot) {

  public TrackedRun {
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    tags = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  /**
   * The run as tracked: {@code tracking.experiment} and {@code tracking.runName} (default: the
   * ContrastiveTrainingRun's name) from the resolved spec, the spec as parameters.
   */
  public static TrackedRun of(ContrastiveTrainingRunSpec spec, String name, String namespace, String uid, int worldSize) {
    TrackingSpec tracking = spec.tracking == null ? new TrackingSpec() : spec.tracking;
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("contrastive.dev/run", name);
    tags.put("contrastive.dev/namespace", namespace);
    if (uid != null && !uid.isEmpty()) {
      tags.put(UID_TAG, uid);
    }
    tags.put("contrastive.dev/image", spec.image == null ? "" : spec.image);
    tags.put("contrastive.dev/world-size", Integer.toString(worldSize));
    tags.put("contrastive.dev/architecture", String.valueOf(spec.architecture.preset));
    return new TrackedRun(tracking.experiment, tracking.runName == null ? name : tracking.runName,
        ConfigParams.of(spec), tags, Path.of(spec.checkpoint.mountPath));
  }

  /** The tag that finds a run again when its gang restarts: the ContrastiveTrainingRun's uid. */
  public static final String UID_TAG = "contrastive.dev/uid";

  /** How a run ended, as MLflow's run status names it. */
  public enum Status { FINISHED, KILLED, FAILED }

  /** The end: status, the last checkpoint and the exported encoder (either may be null). */
  public record End(Status status, Path lastCheckpoint, Path exportedModel) {}
}
