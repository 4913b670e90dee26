package dev.contrastive.trainer.train;

import ai.djl.ndarray.NDManager;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.api.spec.TrainerSpec;
import dev.contrastive.api.status.ProgressStatus;
import dev.contrastive.trainer.augment.SimClrAugmenter;
import dev.contrastive.trainer.data.DatasetSplits;
import dev.contrastive.trainer.data.Datasets;
import dev.contrastive.trainer.data.EpochShards;
import dev.contrastive.trainer.data.Prefetcher;
import dev.contrastive.trainer.data.TrainBatch;
import dev.contrastive.trainer.data.TrainLoader;
import dev.contrastive.trainer.device.Placement;
import dev.contrastive.trainer.dist.AllReduceAlgorithm;
import dev.contrastive.trainer.dist.BufferBroadcast;
import dev.contrastive.trainer.dist.CrossRankSums;
import dev.contrastive.trainer.dist.GradientAllReducer;
import dev.contrastive.trainer.dist.ProcessGroup;
import dev.contrastive.trainer.dist.ReplicaCheck;
import dev.contrastive.trainer.export.EndOfRunExport;
import dev.contrastive.trainer.loss.GlobalNegatives;
import dev.contrastive.trainer.loss.NtXentLoss;
import dev.contrastive.trainer.model.SyncBatchNorm;
import dev.contrastive.trainer.model.SimClrModel;
import dev.contrastive.trainer.optim.LearningRateSchedule;
import dev.contrastive.trainer.optim.Optimizers;
import dev.contrastive.trainer.optim.ParameterOptimizer;
import dev.contrastive.trainer.precision.Precision;
import dev.contrastive.trainer.optim.ScaledLearningRate;
import dev.contrastive.trainer.report.BackgroundProgressReporter;
import dev.contrastive.trainer.report.ProgressReporter;
import dev.contrastive.trainer.report.StatusMessages;
import dev.contrastive.trainer.report.StatusWriter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A training run on one rank: config -> data shard -> model -> optimizer -> step loop, with resume
 * from the newest checkpoint, kNN evaluation shared by all ranks and, on rank 0, checkpoints and
 * status reports.
 * Shuffling and augmentation derive from (seed, epoch, step), so a resumed run continues exactly.
 */
public final class TrainingRun {

  /** Where a run ended. */
  public record Result(TrainingState state, double loss, Double knnTop1, Path lastCheckpoint) {}

  private static final int PREFETCH_DEPTH = 3;
  /** How long the end of a run waits for its last status write. */
  private static final Duration STATUS_FLUSH_TIMEOUT = Duration.ofSeconds(10);

  private final ContrastiveTrainingRunSpec spec;
  private final ProcessGroup group;
  private final Placement placement;
  private AllReduceAlgorithm allReduce;
  private final StatusWriter statusWriter;
  private final PrintStream terminal;
  private final TrainingObserver observer;
  private Path checkpointFolder;
  private Map<String, String> environment = System.getenv();
  private CheckpointVolume checkpointVolume = CheckpointVolume.LOCAL;

  /** A run on the CPU. */
  public TrainingRun(
      ContrastiveTrainingRunSpec spec, ProcessGroup group, StatusWriter statusWriter, PrintStream terminal) {
    this(spec, group, Placement.cpu(), statusWriter, terminal);
  }

  /**
   * @param spec resolved spec
   * @param group the gang (world size 1 for a single process)
   * @param placement this process's device and host-transfer path
   * @param statusWriter where rank 0 reports progress
   * @param terminal stdout when it is a terminal (progress bar), else null
   */
  public TrainingRun(
      ContrastiveTrainingRunSpec spec, ProcessGroup group, Placement placement, StatusWriter statusWriter,
      PrintStream terminal) {
    this(spec, group, placement, statusWriter, terminal, TrainingObserver.NONE);
  }

  /** As above, telling {@code observer} what happens (metrics endpoint, experiment tracking). */
  public TrainingRun(ContrastiveTrainingRunSpec spec, ProcessGroup group, Placement placement,
      StatusWriter statusWriter, PrintStream terminal, TrainingObserver observer) {
    this.spec = spec;
    this.group = group;
    this.placement = placement;
    this.statusWriter = statusWriter;
    this.terminal = terminal;
    this.observer = observer;
  }

  /** Reads the data with this environment (a Hub data set's HF_TOKEN, HF_HOME, ...), not the process's. */
  public TrainingRun withEnvironment(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
    return this;
  }

  /** All-reduces gradients with {@code algorithm} (e.g. two-level) instead of the flat ring. */
  public TrainingRun withAllReduce(AllReduceAlgorithm algorithm) {
    this.allReduce = algorithm;
    return this;
  }

  /**
   * Keeps checkpoints in {@code folder} (the run's own, see {@link RunCheckpointFolder}) instead
   * of {@code checkpoint.mountPath} itself, which only callers that own the whole path may use.
   */
  public TrainingRun withCheckpointFolder(Path folder) {
    this.checkpointFolder = folder;
    return this;
  }

  /** Writes checkpoints through {@code volume} (tests: a slow or full disk). */
  TrainingRun withCheckpointVolume(CheckpointVolume volume) {
    this.checkpointVolume = volume;
    return this;
  }

  /**
   * Where a Hub data set's download progress goes: every process's log, and from rank 0 into
   * {@code status.progress.message} (at most once per status interval), so that {@code kubectl get}
   * shows why the run has not started training.
   */
  private Consumer<String> dataProgress(boolean leader) {
    return new StatusMessages(leader ? statusWriter : StatusWriter.NONE,
        Duration.ofSeconds(spec.trainer.statusIntervalSeconds), Clock.systemUTC(), System.out::println);
  }


  /**
   * Trains to {@code trainer.maxEpochs}, or stops after epoch {@code stopAfterEpochs} (a count of
   * epochs done, checkpoint written) as a preempted run would.
   */
  public Result run(int stopAfterEpochs) {
    TrainerSpec trainer = spec.trainer;
    long seed = trainer.seed;
    boolean leader = group.rank() == 0;
    DatasetSplits splits = Datasets.open(spec.dataset, seed, environment, dataProgress(leader));
    int threads = spec.dataset.loaderThreads == null ? 2 : spec.dataset.loaderThreads;
    EpochShards shards = EpochShards.of(
        splits.train(), trainer.batchSizePerWorker, group.rank(), group.worldSize(), seed);
    int stepsPerEpoch = trainer.maxStepsPerEpoch > 0
        ? Math.min(trainer.maxStepsPerEpoch, shards.stepsPerEpoch())
        : shards.stepsPerEpoch();
    int epochs = trainer.maxEpochs;
    long totalSteps = (long) stepsPerEpoch * epochs;
    ProgressLog log = new ProgressLog(leader ? terminal : null, totalSteps, epochs);
    CheckpointStore store = new CheckpointStore(
        checkpointFolder != null ? checkpointFolder : Path.of(spec.checkpoint.mountPath), trainer.keepCheckpoints,
        checkpointVolume, log::warn);
    if (leader) {
      store.removeLeftovers(); // only rank 0 writes checkpoints, so only it may clear a dead writer's
    }
    ProgressReporter reporter = new ProgressReporter(
        leader ? statusWriter : StatusWriter.NONE,
        Duration.ofSeconds(trainer.statusIntervalSeconds), Clock.systemUTC(), log::info);

    // Status PATCHes and checkpoint writes run on threads of their own: the other ranks wait for
    // this one in the next collective for at most the peer timeout.
    try (BackgroundProgressReporter status = new BackgroundProgressReporter(reporter, STATUS_FLUSH_TIMEOUT, log::warn);
        BackgroundCheckpointWriter checkpoints = leader ? new BackgroundCheckpointWriter(store, log::warn) : null;
        NDManager manager = placement.newManager()) {
      SimClrModel model = SimClrNetwork.create(spec, manager);
      try (ParameterOptimizer optimizer = Optimizers.create(spec.optimizer, manager)) {
        AllReduceAlgorithm algorithm = allReduce != null ? allReduce
            : AllReduceAlgorithm.flat(group, AllReduceAlgorithm.bf16Wire(spec.distributed));
        GradientAllReducer allReducer = group.worldSize() == 1 ? null : new GradientAllReducer(group,
            placement.transfer(), algorithm);
        boolean globalNegatives = allReducer != null && GlobalNegatives.wanted(spec.loss);
        boolean syncBatchNorm = allReducer != null && SyncBatchNorm.wanted(spec.architecture);
        CrossRankSums crossRank = globalNegatives || syncBatchNorm ? new CrossRankSums(group, algorithm) : null;
        Resumption.Start start = Resumption.load(store, model, optimizer, manager, seed, log::info);
        TrainingState state = start.state();
        boolean broadcastBuffers = allReducer != null && BufferBroadcast.wanted(spec.distributed, syncBatchNorm);
        ReplicaCheck replicas = allReducer == null
            ? null : new ReplicaCheck(group, placement.transfer(), broadcastBuffers || syncBatchNorm);
        int checkEvery = spec.distributed.replicaCheckIntervalSteps;
        if (allReducer != null) {
          // every rank must start from identical parameters, fresh or resumed
          allReducer.broadcastParameters(model.getParameters());
          Resumption.checkSameStart(group, state);
          checkReplicas(replicas, model, "after the start-up broadcast", log);
        }
        ScaledLearningRate lr =
            ScaledLearningRate.of(spec.optimizer, trainer.batchSizePerWorker, group.worldSize());
        LearningRateSchedule schedule =
            LearningRateSchedule.of(spec.scheduler, lr.effectiveLr(), stepsPerEpoch, epochs);
        SimClrAugmenter augmenter = new SimClrAugmenter(
            spec.augmentation, spec.dataset.imageSize, splits.stats().mean(), splits.stats().std());
        TrainLoader loader =
            new TrainLoader(splits.train(), shards, augmenter, manager, seed, threads, PREFETCH_DEPTH);
        Precision precision = Precision.of(trainer.precision);
        SimClrStep step = new SimClrStep(model, new NtXentLoss(spec.loss.temperature), optimizer, allReducer)
            .withBufferBroadcast(broadcastBuffers ? new BufferBroadcast(allReducer) : null)
            .withGlobalNegatives(globalNegatives ? crossRank : null)
            .withSyncBatchNorm(syncBatchNorm ? crossRank : null)
            .withPrecision(precision);
        KnnEvaluation evaluation = new KnnEvaluation(splits, spec.evaluation, threads);
        EncoderFeatures features = new EncoderFeatures(model.encoder(), spec.dataset.imageSize, splits.stats());
        evaluation.checkFits(features.dim());

        ProgressStatus progress = new ProgressStatus();
        if ("huggingface".equals(spec.dataset.type)) {
          progress.message = ""; // the download is over: clear its line
        }
        progress.totalEpochs = epochs;
        progress.totalSteps = totalSteps;
        if (!start.skipped().isEmpty()) {
          // A lost checkpoint costs training time: it stays in rank 0's status for this gang's life,
          // sent at once rather than with the first log line.
          progress.message = startWarning(start.skipped());
          status.report(progress);
          status.warn(CHECKPOINT_SKIPPED, skippedEvent(start));
        }
        Path lastCheckpoint = start.checkpoint();
        progress.lastCheckpoint = lastCheckpoint == null ? null : ProgressStatus.boundedPath(lastCheckpoint.toString());
        double epochLoss = Double.NaN;
        int stopAt = Math.min(epochs, stopAfterEpochs);
        long imagesPerStep = (long) trainer.batchSizePerWorker * group.worldSize();
        log.info(String.format("rank %d of %d on %s, %s: %d steps per epoch, %d epochs, starting at epoch %d step %d",
            group.rank(), group.worldSize(), placement.describe(),
            (allReduce != null ? allReduce : AllReduceAlgorithm.flat(group)).describe(), stepsPerEpoch, epochs, state.epochsDone() + 1,
            state.step()));
        log.info(lr.describe());
        log.info("precision: " + precision.describe());
        if (allReducer != null) {
          log.info("negatives: " + (globalNegatives
              ? "global (each rank's 2 x " + trainer.batchSizePerWorker + " anchors against all "
                  + 2 * imagesPerStep + " projections of the step)"
              : "local (each rank's own " + 2 * trainer.batchSizePerWorker + " projections)")
              + "; BatchNorm statistics: " + (syncBatchNorm ? "global batch (synchronised)" : "each rank's own"));
        }
        observer.started(totalSteps, epochs, state, lastCheckpoint);

        for (int epoch = state.epochsDone(); epoch < stopAt; epoch++) {
          int fromStep = (int) (state.step() - (long) epoch * stepsPerEpoch);
          StepWindow epochWindow = new StepWindow();
          StepWindow window = new StepWindow();
          long stepNumber = state.step();
          try (Prefetcher<TrainBatch> batches = loader.epoch(epoch, fromStep, stepsPerEpoch)) {
            while (batches.hasNext()) {
              float stepLr = schedule.at(stepNumber);
              float loss;
              try (TrainBatch batch = batches.next()) {
                long waited = batches.lastWaitNanos();
                window.waited(waited);
                loss = step.run(batch.first(), batch.second(), stepLr);
                observer.stepped(epoch, stepNumber + 1, loss, stepLr, trainer.batchSizePerWorker,
                    step.lastStats().withDataWait(waited));
              }
              stepNumber++;
              if (!Float.isFinite(loss)) {
                throw new NonFiniteLossException(loss, stepNumber, epoch + 1, lastCheckpoint);
              }
              if (replicas != null && checkEvery > 0 && stepNumber % checkEvery == 0) {
                checkReplicas(replicas, model, "after step " + stepNumber, log);
              }
              window.add(loss);
              epochWindow.add(loss);
              log.bar(stepNumber, loss);
              if (stepNumber % trainer.logIntervalSteps == 0) {
                double meanLoss = meanOverRanks(window.meanLoss());
                double rate = window.imagesPerSecond(imagesPerStep);
                log.line(epoch, stepNumber, meanLoss, rate, stepLr, window.eta(totalSteps - stepNumber),
                    window.meanDataWait(), window.dataWaitShare());
                fill(progress, epoch, stepNumber, meanLoss, rate, stepLr);
                observer.logged(epoch, stepNumber, meanLoss, rate, stepLr);
                if (checkpoints != null) {
                  lastCheckpoint = noteWritten(checkpoints, progress, lastCheckpoint, log);
                }
                status.maybeReport(progress);
                window = new StepWindow();
              }
            }
          }
          if (replicas != null && !(checkEvery > 0 && stepNumber % checkEvery == 0)) {
            checkReplicas(replicas, model, "at the end of epoch " + (epoch + 1) + " (step " + stepNumber + ")", log);
          }
          epochLoss = meanOverRanks(epochWindow.meanLoss());
          double epochRate = epochWindow.imagesPerSecond(imagesPerStep);
          state = new TrainingState(epoch + 1, stepNumber, seed);
          boolean last = epoch + 1 == stopAt;
          fill(progress, epoch, stepNumber, epochLoss, epochRate, schedule.at(Math.max(0, stepNumber - 1)));
          if (due(epoch, trainer.evaluationIntervalEpochs) || epoch + 1 == epochs) {
            KnnEvaluation.Evaluation evaluated =
                evaluation.evaluate(features, manager, group, observer.contactSheetQueries());
            progress.knnTop1 = evaluated.top1();
            observer.evaluated(epoch, stepNumber, evaluated.top1(), evaluated.neighbours());
            log.info(String.format("epoch %d/%d kNN top-1 %.4f", epoch + 1, epochs, progress.knnTop1));
          }
          if (leader) {
            if (due(epoch, trainer.checkpointIntervalEpochs) || last) {
              checkpoints.submit(CheckpointSnapshot.of(state, model, optimizer.stateDict()));
            }
            if (last) {
              checkpoints.finish(); // the end of this process: no rank waits on it any more
            }
            lastCheckpoint = noteWritten(checkpoints, progress, lastCheckpoint, log);
            if (epoch + 1 == epochs) {
              progress.exportedModel =
                  EndOfRunExport.write(spec, model, state, splits.stats(), lastCheckpoint, log::info);
            }
          }
          log.info(String.format("epoch %d/%d done: loss %.4f, %.1f images/s", epoch + 1, epochs, epochLoss, epochRate));
          status.report(progress);
          observer.epochEnded(epoch, stepNumber, epochLoss, epochRate);
        }
        Result result = new Result(state, epochLoss, progress.knnTop1, lastCheckpoint);
        observer.finished(result, state.epochsDone() == epochs,
            progress.exportedModel == null ? null : Path.of(progress.exportedModel));
        return result;
      }
    }
  }

  /** The replica tripwire (see {@link ReplicaCheck}); rank 0 logs that it passed. */
  private void checkReplicas(ReplicaCheck replicas, SimClrModel model, String when, ProgressLog log) {
    ReplicaCheck.Compared compared = replicas.verify(model.getParameters(), when);
    if (group.rank() == 0) {
      log.info("replica check " + when + " passed: " + compared + " identical on " + group.worldSize() + " ranks");
    }
  }

  private double meanOverRanks(double value) {
    double sum = 0;
    for (double[] v : group.allGather(new double[] {value})) {
      sum += v[0];
    }
    return sum / group.worldSize();
  }

  private static boolean due(int epoch, int interval) {
    return interval > 0 && (epoch + 1) % interval == 0;
  }

  /** Reports the checkpoints that reached the volume since the last call; returns the newest. */
  private Path noteWritten(
      BackgroundCheckpointWriter checkpoints, ProgressStatus progress, Path lastCheckpoint, ProgressLog log) {
    Path newest = lastCheckpoint;
    for (BackgroundCheckpointWriter.Written written : checkpoints.drain()) {
      newest = written.dir();
      progress.lastCheckpoint = ProgressStatus.boundedPath(newest.toString());
      observer.checkpointed(written.step(), newest);
      log.info("checkpoint " + newest);
    }
    return newest;
  }

  /** The Event of what {@link #skippedEvent} says, on the run (kubectl describe). */
  static final String CHECKPOINT_SKIPPED = "CheckpointSkipped";

  /** Which checkpoints were skipped and why, and the one the run resumed from. */
  static String skippedEvent(Resumption.Start start) {
    return String.join("; ", start.skipped()) + "; resumed from "
        + (start.checkpoint() == null ? "step 0 (no checkpoint verified)" : start.checkpoint().getFileName());
  }

  /** The skipped checkpoints' warnings as one line that fits {@code status.progress.message}. */
  static String startWarning(List<String> skipped) {
    String line = "warning: " + String.join("; ", skipped);
    return line.length() > ProgressStatus.MESSAGE_MAX_LENGTH ? line.substring(0, ProgressStatus.MESSAGE_MAX_LENGTH) : line;
  }

  private static void fill(ProgressStatus progress, int epoch, long step, double loss, double rate, float lr) {
    progress.epoch = epoch + 1;
    progress.step = step;
    progress.loss = Double.isFinite(loss) ? loss : null;
    // the schema refuses what is not a finite non-negative number (and JSON has no NaN)
    progress.imagesPerSecond = Double.isFinite(rate) && rate >= 0 ? rate : null;
    progress.learningRate = Float.isFinite(lr) && lr >= 0 ? (double) lr : null;
  }
}
