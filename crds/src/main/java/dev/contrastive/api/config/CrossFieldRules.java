package dev.contrastive.api.config;

import dev.contrastive.api.encoder.ArchitectureRules;
import dev.contrastive.api.encoder.EncoderFamily;
import dev.contrastive.api.encoder.ResNetDepth;
import dev.contrastive.api.spec.ArchitectureSpec;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.api.spec.DatasetSpec;
import java.util.List;

/**
 * Rules between settings. The first ones mean what the CRD's CEL rules ({@code @ValidationRule})
 * mean, for runs that never meet an API server (CelRulesTest holds both to the same cases); the
 * architecture rules follow the encoder declaration ({@code api.encoder}) and can only be checked
 * completely once presets are resolved.
 */
final class CrossFieldRules {

  private CrossFieldRules() {}

  static void check(ContrastiveTrainingRunSpec spec) {
    checkCelRuleMeanings(spec);
    checkArchitecture(spec.architecture, spec.dataset.imageSize);
  }

  private static void checkCelRuleMeanings(ContrastiveTrainingRunSpec spec) {
    var augmentation = spec.augmentation;
    if (augmentation.cropScaleMin != null && augmentation.cropScaleMax != null
        && augmentation.cropScaleMin > augmentation.cropScaleMax) {
      throw InvalidConfigException.at("spec.augmentation.cropScaleMin", augmentation.cropScaleMin
          + " must not exceed spec.augmentation.cropScaleMax (" + augmentation.cropScaleMax + ")");
    }
    if (!"synthetic".equals(spec.dataset.type) && spec.dataset.source == null) {
      throw InvalidConfigException.at("spec.dataset.source",
          "required for dataset type " + spec.dataset.type + " (only synthetic needs none)");
    }
    if ("huggingface".equals(spec.dataset.type) && spec.dataset.source != null
        && !spec.dataset.source.matches(DatasetSpec.REPO_ID)) {
      throw InvalidConfigException.at("spec.dataset.source", "'" + spec.dataset.source
          + "' is not a Hub repository id; expected owner/name such as ILSVRC/imagenet-1k");
    }
    Integer gpus = spec.resources.gpusPerNode;
    if (gpus != null && gpus == 0 && spec.workers == null) {
      throw InvalidConfigException.at("spec.workers",
          "required when spec.resources.gpusPerNode is 0 (the number of CPU-only workers)");
    }
    Integer processes = spec.resources.processesPerWorker;
    if (processes != null && gpus != null && gpus > 0 && processes > gpus) {
      throw InvalidConfigException.at("spec.resources.processesPerWorker", processes
          + " must not exceed spec.resources.gpusPerNode (" + gpus + "): one process per GPU");
    }
    if (spec.minNodes != null && spec.maxNodes != null && spec.minNodes > spec.maxNodes) {
      throw InvalidConfigException.at("spec.minNodes",
          spec.minNodes + " must not exceed spec.maxNodes (" + spec.maxNodes + ")");
    }
    Integer width = spec.architecture.width;
    if (width != null && width != 16 && width % 32 != 0) {
      throw InvalidConfigException.at("spec.architecture.width", width + " is neither 16 nor a multiple of 32"
          + " (other widths get wrong gradients on AVX-512 CPUs, docs/cpu.md); use 16, 32, 64, 96, 128, ...");
    }
    Integer warmup = spec.scheduler.warmupEpochs;
    Integer epochs = spec.trainer.maxEpochs;
    if (warmup != null && epochs != null && warmup >= epochs) {
      throw InvalidConfigException.at("spec.scheduler.warmupEpochs",
          warmup + " must be less than spec.trainer.maxEpochs (" + epochs + ")");
    }
  }

  private static void checkArchitecture(ArchitectureSpec arch, Integer imageSize) {
    String at = "spec.architecture.";
    EncoderFamily family = EncoderFamily.of(arch.family).orElseThrow(() -> InvalidConfigException.at(
        at + "family", (arch.family == null ? "required but not set" : "'" + arch.family + "' is not allowed")
            + "; allowed: " + String.join(", ", EncoderFamily.keys())));
    // presets provide every setting their family needs; overrides may take one away (null)
    for (String key : family.settings()) {
      Object value = SpecFields.read(field(key), arch);
      if (value == null) {
        throw InvalidConfigException.at(at + key, "required for family " + arch.family + " but not set");
      }
    }
    for (String key : List.of("projectionHiddenDim", "projectionDim")) {
      if (SpecFields.read(field(key), arch) == null) {
        throw InvalidConfigException.at(at + key, "required but not set");
      }
    }
    if (family == EncoderFamily.RESNET && ResNetDepth.of(arch.depth).isEmpty()) {
      throw InvalidConfigException.at(at + "depth",
          "ResNet depth " + arch.depth + " is not built; allowed: " + ResNetDepth.allowed());
    }
    if (family == EncoderFamily.PARALLEL_VIT && arch.width % arch.heads != 0) {
      throw InvalidConfigException.at(at + "heads", arch.heads
          + " heads do not divide spec.architecture.width (" + arch.width + ")");
    }
    if (family != EncoderFamily.RESNET && ArchitectureRules.mlpHidden(arch.width, arch.mlpRatio) < 1) {
      throw InvalidConfigException.at(at + "mlpRatio", arch.mlpRatio + " x spec.architecture.width ("
          + arch.width + ") leaves the MLP without a hidden unit; use at least 1 / width");
    }
    if (arch.patchSize != null && family != EncoderFamily.RESNET && imageSize != null
        && imageSize % arch.patchSize != 0) {
      throw InvalidConfigException.at(at + "patchSize", arch.patchSize
          + " px patches do not tile spec.dataset.imageSize (" + imageSize + " px)");
    }
  }

  private static java.lang.reflect.Field field(String name) {
    try {
      return ArchitectureSpec.class.getField(name);
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException("ArchitectureSpec has no field " + name, e);
    }
  }
}
