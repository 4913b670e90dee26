package dev.contrastive.trainer.tracking;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Experiment;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.api.proto.Service.ViewType;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MLflow tracking server through MLflow's Java client: one MLflow run per
 * ContrastiveTrainingRun (a restarted gang finds its run again by the uid tag and sets it running),
 * the resolved config as parameters, metrics per step and per epoch, tags, the end status, and
 * the contact sheets, the final checkpoint and the exported encoder as artifacts where the server
 * proxies artifacts. The tags {@value #LAST_CHECKPOINT_TAG} and {@value #EXPORTED_MODEL_TAG} hold
 * the URIs of the last two: their artifact URI where uploaded, else their file URI on the volume.
 */
final class MlflowBackend implements TrackingBackend {

  private static final Logger LOG = LoggerFactory.getLogger(MlflowBackend.class);
  static final String DEFAULT_EXPERIMENT_ID = "0";
  /** MLflow's log-batch limits: 100 parameters or tags, 1000 metrics per request. */
  static final int BATCH_PARAMS = 100;
  static final String LAST_CHECKPOINT_TAG = "contrastive.dev/last-checkpoint";
  static final String EXPORTED_MODEL_TAG = "contrastive.dev/exported-model";
  /** Where the final checkpoint's files go among the run's artifacts. */
  static final String CHECKPOINT_ARTIFACTS = "checkpoint";
  static final String ENCODER_ARTIFACTS = "encoder";

  private final String trackingUri;
  private final String authorization;
  private final MlflowClient client;
  private TrackedRun run;
  private String runId;
  private String artifactUri;
  private Optional<MlflowArtifacts> artifacts = Optional.empty();

  /**
   * @param env MLFLOW_TRACKING_TOKEN (bearer) or MLFLOW_TRACKING_USERNAME and
   *     MLFLOW_TRACKING_PASSWORD (basic), as MLflow's own clients read them
   */
  MlflowBackend(String trackingUri, Map<String, String> env) {
    this.trackingUri = trackingUri.endsWith("/") ? trackingUri.substring(0, trackingUri.length() - 1) : trackingUri;
    String token = env.get("MLFLOW_TRACKING_TOKEN");
    String user = env.get("MLFLOW_TRACKING_USERNAME");
    String password = env.get("MLFLOW_TRACKING_PASSWORD");
    if (user != null && password != null) {
      client = new MlflowClient(new BasicMlflowHostCreds(this.trackingUri, user, password));
      authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    } else if (token != null && !token.isBlank()) {
      client = new MlflowClient(new BasicMlflowHostCreds(this.trackingUri, token.trim()));
      authorization = "Bearer " + token.trim();
    } else {
      client = new MlflowClient(new BasicMlflowHostCreds(this.trackingUri));
      authorization = null;
    }
  }

  @Override
  public String name() {
    return "mlflow";
  }

  @Override
  public void start(TrackedRun run) {
    this.run = run;
    ensureRun();
  }

  /** Creates (or finds) the run; tried again by later calls while the server was unreachable. */
  private String ensureRun() {
    if (runId != null) {
      return runId;
    }
    String experimentId = experimentId(run.experiment());
    Optional<RunInfo> existing = findByUid(experimentId);
    RunInfo info;
    if (existing.isPresent()) {
      info = existing.get();
      client.sendPost("runs/update", "{\"run_id\":\"" + info.getRunId() + "\",\"status\":\"RUNNING\"}");
      LOG.info("mlflow: continuing run {} ({}) of experiment {}", info.getRunId(), run.runName(), experimentId);
    } else {
      CreateRun.Builder create = CreateRun.newBuilder()
          .setExperimentId(experimentId)
          .setRunName(run.runName())
          .setStartTime(System.currentTimeMillis());
      run.tags().forEach((key, value) -> create.addTags(RunTag.newBuilder().setKey(key).setValue(value)));
      create.addTags(RunTag.newBuilder().setKey("mlflow.source.name").setValue("contrastive-trainer"));
      info = client.createRun(create.build());
      List<Param> params = new ArrayList<>();
      run.params().forEach((key, value) -> params.add(Param.newBuilder().setKey(key).setValue(value).build()));
      for (int from = 0; from < params.size(); from += BATCH_PARAMS) {
        client.logBatch(info.getRunId(), List.of(), params.subList(from, Math.min(params.size(), from + BATCH_PARAMS)),
            List.of());
      }
      LOG.info("mlflow: run {} ({}) in experiment {} at {}", info.getRunId(), run.runName(), experimentId, trackingUri);
    }
    artifacts = MlflowArtifacts.of(trackingUri, info.getArtifactUri(), authorization);
    if (artifacts.isEmpty()) {
      LOG.info("mlflow: artifacts of this run go to {}, which the trainer cannot write (only the server's artifact "
          + "proxy, mlflow-artifacts:/); contact sheets stay in TensorBoard, the final checkpoint and the encoder "
          + "are recorded by their file URIs", info.getArtifactUri());
    }
    artifactUri = info.getArtifactUri().replaceFirst("/+$", "");
    runId = info.getRunId();
    return runId;
  }

  private String experimentId(String experiment) {
    if (experiment == null) {
      return DEFAULT_EXPERIMENT_ID;
    }
    Optional<Experiment> found = client.getExperimentByName(experiment);
    if (found.isPresent()) {
      return found.get().getExperimentId();
    }
    try {
      return client.createExperiment(experiment);
    } catch (MlflowClientException e) {
      // another run created it meanwhile
      return client.getExperimentByName(experiment).map(Experiment::getExperimentId).orElseThrow(() -> e);
    }
  }

  private Optional<RunInfo> findByUid(String experimentId) {
    String uid = run.tags().get(TrackedRun.UID_TAG);
    if (uid == null || uid.isEmpty()) {
      return Optional.empty(); // a run outside a cluster: each start is a run of its own
    }
    String filter = "tags.`" + TrackedRun.UID_TAG + "` = '" + uid.replace("'", "") + "'";
    List<Run> found = client.searchRuns(List.of(experimentId), filter, ViewType.ACTIVE_ONLY, 1).getItems();
    return found.stream().findFirst().map(Run::getInfo);
  }

  @Override
  public void scalars(long step, long wallMillis, Map<String, Double> values) {
    List<Metric> metrics = new ArrayList<>();
    values.forEach((key, value) -> metrics.add(
        Metric.newBuilder().setKey(key).setValue(value).setTimestamp(wallMillis).setStep(step).build()));
    client.logBatch(ensureRun(), metrics, List.of(), List.of());
  }

  @Override
  public void image(String tag, long step, long wallMillis, byte[] png, int width, int height, String artifactPath)
      throws Exception {
    ensureRun();
    if (artifacts.isPresent()) {
      artifacts.get().upload(artifactPath, png);
    }
  }

  @Override
  public void finish(TrackedRun.End end) throws Exception {
    String id = ensureRun();
    List<RunTag> tags = new ArrayList<>();
    if (end.lastCheckpoint() != null) {
      tags.add(tag(LAST_CHECKPOINT_TAG, logged(end.lastCheckpoint(), CHECKPOINT_ARTIFACTS)));
    }
    if (end.exportedModel() != null) {
      String artifactPath = ENCODER_ARTIFACTS + "/" + end.exportedModel().getFileName();
      tags.add(tag(EXPORTED_MODEL_TAG, logged(end.exportedModel(), artifactPath)));
    }
    if (!tags.isEmpty()) {
      client.logBatch(id, List.of(), List.of(), tags);
    }
    client.setTerminated(id, RunStatus.valueOf(end.status().name()), System.currentTimeMillis());
  }

  /**
   * Uploads {@code source} (a file, or a folder's files below it) as the artifacts at
   * {@code artifactPath} where the server proxies artifacts, and returns their artifact URI; else,
   * or when an upload fails, the file URI of {@code source}.
   */
  private String logged(Path source, String artifactPath) throws InterruptedException {
    if (artifacts.isPresent() && Files.exists(source)) {
      try {
        for (Path file : files(source)) {
          String below = source.relativize(file).toString().replace(source.getFileSystem().getSeparator(), "/");
          artifacts.get().upload(below.isEmpty() ? artifactPath : artifactPath + "/" + below, file);
        }
        return artifactUri + "/" + artifactPath;
      } catch (IOException e) {
        LOG.warn("mlflow: {} was not uploaded ({}); its file URI is recorded instead", source,
            String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
      }
    }
    return source.toUri().toString();
  }

  private static List<Path> files(Path source) throws IOException {
    try (Stream<Path> walk = Files.walk(source)) {
      return walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
  }

  @Override
  public void close() {
    client.close(); // also ends a call that hangs on a connection
  }

  private static RunTag tag(String key, String value) {
    return RunTag.newBuilder().setKey(key).setValue(value).build();
  }
}
