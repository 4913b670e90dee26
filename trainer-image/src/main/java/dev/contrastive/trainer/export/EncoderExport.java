package dev.contrastive.trainer.export;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.contrastive.api.encoder.EncoderFamily;
import dev.contrastive.api.spec.ArchitectureSpec;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.data.ChannelStats;
import dev.contrastive.trainer.model.Encoder;
import dev.contrastive.trainer.model.MlpMixerEncoder;
import dev.contrastive.trainer.model.ParallelVitEncoder;
import dev.contrastive.trainer.model.ProjectionHead;
import dev.contrastive.trainer.model.ResNetEncoder;
import dev.contrastive.trainer.model.SimClrModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a trained encoder (and, on request, its projection head) as a safetensors file whose
 * tensor names and layouts are those of the matching PyTorch module, so {@code
 * load_state_dict(strict=True)} takes it as is; the file's metadata says which module, how to
 * normalise its input, and holds the run's resolved config.
 */
public final class EncoderExport {

  /** The one format written; {@code trainer export --format} names it. */
  public static final String FORMAT = "safetensors";

  /** Where the parameters came from, for the metadata. */
  public record Origin(String checkpoint, int epochsDone, long step) {}

  private static final ObjectMapper JSON = new ObjectMapper()
      .setSerializationInclusion(JsonInclude.Include.NON_NULL)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private EncoderExport() {}

  /**
   * Writes {@code model}'s encoder to {@code out}.
   *
   * @param spec the resolved spec the model was built from
   * @param stats the input normalisation the encoder was trained with; null when unknown
   * @param withProjectionHead whether to add the head under {@code projection_head.}
   * @return the number of tensors written
   */
  public static int write(
      Path out,
      ContrastiveTrainingRunSpec spec,
      SimClrModel model,
      Origin origin,
      ChannelStats stats,
      boolean withProjectionHead) throws IOException {
    StateDict stateDict = new StateDict(origin.step());
    Encoder encoder = model.encoder();
    if (encoder instanceof ResNetEncoder resNet) {
      ResNetNames.add(stateDict, resNet);
    } else if (encoder instanceof MlpMixerEncoder mixer) {
      MixerNames.add(stateDict, mixer);
    } else if (encoder instanceof ParallelVitEncoder vit) {
      ParallelVitNames.add(stateDict, vit);
    } else {
      throw new IllegalArgumentException("no PyTorch layout for " + encoder.getClass().getSimpleName());
    }
    if (withProjectionHead) {
      ProjectionHeadNames.add(stateDict, (ProjectionHead) ChildBlocks.at(model, 1, "projection head"));
    }
    List<Safetensors.Tensor> tensors = stateDict.tensors();
    Safetensors.write(out, tensors, metadata(spec, encoder, origin, stats, withProjectionHead));
    return tensors.size();
  }

  static Map<String, String> metadata(
      ContrastiveTrainingRunSpec spec, Encoder encoder, Origin origin, ChannelStats stats, boolean withHead) {
    ArchitectureSpec architecture = spec.architecture;
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "pt"); // what PyTorch-side tools (transformers, timm) look for
    metadata.put("pytorch_module", module(architecture));
    metadata.put("architecture", describe(architecture));
    if ("resnet".equals(architecture.family)) {
      metadata.put("stem", "cifar".equals(architecture.stem)
          ? String.format(Locale.ROOT, "cifar: conv1 = nn.Conv2d(3, %d, kernel_size=3, stride=1, padding=1,"
              + " bias=False), maxpool = nn.Identity()", architecture.width)
          : "imagenet: torchvision's conv1 (7x7, stride 2) and maxpool");
    }
    metadata.put("features", "(B, " + encoder.featureDim() + "): the encoder's pooled output, fc/head = Identity");
    metadata.put("image_size", String.valueOf(spec.dataset.imageSize));
    if (stats != null) {
      metadata.put("input_mean", json(stats.mean()));
      metadata.put("input_std", json(stats.std()));
    }
    metadata.put("input", "RGB (B, 3, H, W) scaled to [0, 1], minus input_mean, divided by input_std");
    metadata.put("projection_head", withHead
        ? String.format(Locale.ROOT, "projection_head.* = nn.Sequential(nn.Linear(%d, %d, bias=False),"
            + " nn.BatchNorm1d(%d), nn.ReLU(), nn.Linear(%d, %d))", encoder.featureDim(),
            architecture.projectionHiddenDim, architecture.projectionHiddenDim,
            architecture.projectionHiddenDim, architecture.projectionDim)
        : "not included");
    metadata.put("checkpoint", origin.checkpoint());
    metadata.put("epochs_done", String.valueOf(origin.epochsDone()));
    metadata.put("step", String.valueOf(origin.step()));
    metadata.put("config", json(spec));
    return metadata;
  }

  /** The PyTorch module whose state_dict the file is. */
  public static String module(ArchitectureSpec architecture) {
    EncoderFamily family = EncoderFamily.of(architecture.family).orElseThrow(() ->
        new IllegalArgumentException("architecture.family=" + architecture.family + " has no PyTorch module"));
    // no default: a family declared without its PyTorch module does not compile
    return switch (family) {
      case RESNET -> "torchvision.models.resnet" + architecture.depth
          + (architecture.width == 64 ? "" : " at width " + architecture.width + " (docs/export.md)");
      case MIXER -> "timm.models.mlp_mixer.MlpMixer(num_classes=0)";
      case PARALLEL_VIT -> "ParallelVit (docs/export.md)";
    };
  }

  /** One line naming the architecture's shape, also used in error messages. */
  public static String describe(ArchitectureSpec a) {
    StringBuilder text = new StringBuilder(a.family).append(" depth ").append(a.depth).append(" width ").append(a.width);
    if (a.patchSize != null && !"resnet".equals(a.family)) {
      text.append(" patch ").append(a.patchSize);
    }
    if (a.heads != null && "parallel_vit".equals(a.family)) {
      text.append(" heads ").append(a.heads).append(" qkNorm ").append(a.qkNorm);
    }
    if (a.mlpRatio != null && !"resnet".equals(a.family)) {
      text.append(" mlpRatio ").append(a.mlpRatio);
    }
    if ("resnet".equals(a.family)) {
      text.append(" stem ").append(a.stem);
    }
    return text.toString();
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }
}
