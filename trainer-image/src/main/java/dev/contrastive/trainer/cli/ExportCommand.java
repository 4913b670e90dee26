package dev.contrastive.trainer.cli;

import ai.djl.ndarray.NDManager;
import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.data.ChannelStats;
import dev.contrastive.trainer.data.DataException;
import dev.contrastive.trainer.data.Datasets;
import dev.contrastive.trainer.export.CheckpointModel;
import dev.contrastive.trainer.export.EncoderExport;
import dev.contrastive.trainer.model.SimClrModel;
import dev.contrastive.trainer.train.Checkpoint;
import dev.contrastive.trainer.train.TrainedEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Writes a checkpoint's encoder as a safetensors file in PyTorch's names (torchvision ResNet,
 * timm MLP-Mixer, the documented parallel ViT), loadable with {@code load_state_dict(strict=True)}.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Write a checkpoint's encoder (optionally with its projection head) as a safetensors file with "
        + "PyTorch's tensor names: torchvision resnet18/34/50/101/152, timm's MlpMixer, the parallel ViT of docs/export.md. "
        + "The file's metadata holds the resolved config and the input normalisation.")
final class ExportCommand implements Callable<Integer> {

  @ParentCommand TrainerCli root;
  @Mixin RunFileOptions run;

  @Option(names = "--checkpoint", paramLabel = "DIR",
      description = "A checkpoint folder, or a folder of checkpoints (the newest is used). "
          + "Default: the run's folder <mountPath>/<namespace>/<name>/<uid> (uid 'local' outside a cluster).")
  Path checkpoint;

  @Option(names = "--format", defaultValue = EncoderExport.FORMAT, paramLabel = "FORMAT",
      description = "File format; only safetensors (the default).")
  String format;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write.")
  Path out;

  @Option(names = "--projection-head",
      description = "Also write the projection head, under projection_head.* (nn.Sequential indices).")
  boolean projectionHead;

  @Override
  public Integer call() {
    if (!EncoderExport.FORMAT.equals(format)) {
      throw new UserInputException("--format " + format + " is not supported: use " + EncoderExport.FORMAT);
    }
    if (Files.isDirectory(out)) {
      throw new UserInputException("--out " + out + " is a folder: give the file to write, e.g. encoder.safetensors");
    }
    ContrastiveTrainingRun resolved = run.resolve(root.env);
    ContrastiveTrainingRunSpec spec = resolved.getSpec();
    Checkpoint found = TrainedEncoder.find(
        checkpoint != null ? checkpoint : TrainCommand.checkpointFolder(resolved, root.env));
    ChannelStats stats = inputStats(spec);
    int tensors;
    try (NDManager manager = NDManager.newBaseManager()) {
      SimClrModel model = CheckpointModel.load(spec, found, manager);
      EncoderExport.Origin origin = new EncoderExport.Origin(
          found.dir().getFileName().toString(), found.state().epochsDone(), found.state().step());
      tensors = EncoderExport.write(out, spec, model, origin, stats, projectionHead);
    } catch (CheckpointModel.IncompatibleCheckpointException e) {
      throw new UserInputException(e.getMessage(), e);
    } catch (IOException e) {
      throw new UserInputException(out + ": cannot write: " + e.getMessage(), e);
    }
    root.out.println("wrote " + tensors + " tensors of " + found.dir() + " to " + out + " ("
        + EncoderExport.module(spec.architecture) + ")");
    return ExitCodes.OK;
  }

  /** The normalisation the run trained with; null (and said so) when its dataset is not readable here. */
  private ChannelStats inputStats(ContrastiveTrainingRunSpec spec) {
    try {
      return Datasets.inputStats(spec.dataset, spec.trainer.seed, root.env);
    } catch (DataException e) {
      root.out.println("note: the run's dataset is not readable here, so the file records no input_mean/input_std ("
          + e.getMessage() + ")");
      return null;
    }
  }
}
