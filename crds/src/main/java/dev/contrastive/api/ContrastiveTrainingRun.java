package dev.contrastive.api;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One distributed SimCLR training run. The spec is the whole training config (the trainer reads
 * the same YAML); the status is written by the operator (lifecycle) and by trainer rank 0
 * (progress).
 */
@Group(ContrastiveTrainingRun.GROUP)
@Version(ContrastiveTrainingRun.VERSION)
@Kind("ContrastiveTrainingRun")
@Plural("contrastivetrainingruns")
@Singular("contrastivetrainingrun")
@ShortNames("ctrun")
@Categories("training")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Workers", jsonPath = ".status.workers.summary", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ranks", jsonPath = ".status.workers.worldSize", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Epoch", jsonPath = ".status.progress.epoch", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Loss", jsonPath = ".status.progress.loss", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "kNN", jsonPath = ".status.progress.knnTop1", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
// Last, as it is long: what the trainer does before its first step (a Hub data set's download).
@AdditionalPrinterColumn(name = "Message", jsonPath = ".status.progress.message", type = AdditionalPrinterColumn.Type.STRING)
// Workers resume from checkpoints that only fit the model, data and optimizer they were started
// with; the operator also ignores such edits (SpecApplied=False), this refuses them at apply time.
// Cluster fields and runPolicy stay editable. Root level, because the rule needs the status.
@ValidationRule(
    value = "!has(oldSelf.status) || !has(oldSelf.status.phase) || oldSelf.status.phase != 'Running'"
        + " || !has(oldSelf.spec) || (has(self.spec) && "
        + "has(self.spec.architecture) == has(oldSelf.spec.architecture) && (!has(self.spec.architecture) || self.spec.architecture == oldSelf.spec.architecture) && "
        + "has(self.spec.dataset) == has(oldSelf.spec.dataset) && (!has(self.spec.dataset) || self.spec.dataset == oldSelf.spec.dataset) && "
        + "has(self.spec.augmentation) == has(oldSelf.spec.augmentation) && (!has(self.spec.augmentation) || self.spec.augmentation == oldSelf.spec.augmentation) && "
        + "has(self.spec.loss) == has(oldSelf.spec.loss) && (!has(self.spec.loss) || self.spec.loss == oldSelf.spec.loss) && "
        + "has(self.spec.optimizer) == has(oldSelf.spec.optimizer) && (!has(self.spec.optimizer) || self.spec.optimizer == oldSelf.spec.optimizer) && "
        + "has(self.spec.scheduler) == has(oldSelf.spec.scheduler) && (!has(self.spec.scheduler) || self.spec.scheduler == oldSelf.spec.scheduler) && "
        + "has(self.spec.trainer) == has(oldSelf.spec.trainer) && (!has(self.spec.trainer) || self.spec.trainer == oldSelf.spec.trainer) && "
        + "has(self.spec.evaluation) == has(oldSelf.spec.evaluation) && (!has(self.spec.evaluation) || self.spec.evaluation == oldSelf.spec.evaluation) && "
        + "has(self.spec.distributed) == has(oldSelf.spec.distributed) && (!has(self.spec.distributed) || self.spec.distributed == oldSelf.spec.distributed))",
    message = "spec training fields (architecture, dataset, augmentation, loss, optimizer, scheduler,"
        + " trainer, evaluation, distributed) cannot change while the run is Running;"
        + " suspend it or create a new run")
public class ContrastiveTrainingRun
    extends CustomResource<ContrastiveTrainingRunSpec, ContrastiveTrainingRunStatus>
    implements Namespaced {

  public static final String GROUP = "contrastive.dev";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String CRD_NAME = "contrastivetrainingruns." + GROUP;

  @Override
  protected ContrastiveTrainingRunSpec initSpec() {
    return new ContrastiveTrainingRunSpec();
  }

  @Override
  protected ContrastiveTrainingRunStatus initStatus() {
    return new ContrastiveTrainingRunStatus();
  }
}
