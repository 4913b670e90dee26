package dev.contrastive.trainer.tracking;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * the contact sheets and exported encoder as artifacts where the server proxies artifacts.
 */
final class MlflowBackend implements TrackingBackend {

  private static final Logger LOG = LoggerFactory.getLogger(MlflowBackend.class);
  static final String DEFAULT_EXPERIMENT_ID = "0";
  /** MLflow's log-batch limits: 100 parameters or tags, 1000 metrics per request. */
  static final int BATCH_PARAMS = 100;

  private final String trackingUri;
  private final String authorization;
  private final MlflowClient client;
  private TrackedRun run;
  private String runId;
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
          + "proxy, mlflow-artifacts:/); contact sheets stay in TensorBoard, paths are recorded as tags",
          info.getArtifactUri());
    }
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
      tags.add(tag("contrastive.dev/last-checkpoint", end.lastCheckpoint().toString()));
    }
    if (end.exportedModel() != null) {
      tags.add(tag("contrastive.dev/exported-model", end.exportedModel().toString()));
    }
    if (!tags.isEmpty()) {
      client.logBatch(id, List.of(), List.of(), tags);
    }
    if (end.exportedModel() != null && artifacts.isPresent() && Files.isRegularFile(end.exportedModel())) {
      Path model = end.exportedModel();
      artifacts.get().upload("encoder/" + model.getFileName(), model);
    }
    client.setTerminated(id, RunStatus.valueOf(end.status().name()), System.currentTimeMillis());
  }

  @Override
  public void close() {
    client.close(); // also ends a call that hangs on a connection
  }

  private static RunTag tag(String key, String value) {
    return RunTag.newBuilder().setKey(key).setValue(value).build();
  }
}
