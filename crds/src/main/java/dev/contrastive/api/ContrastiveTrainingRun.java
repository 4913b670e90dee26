package dev.contrastive.api;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
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
@AdditionalPrinterColumn(name = "Epoch", jsonPath = ".status.progress.epoch", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Loss", jsonPath = ".status.progress.loss", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "kNN", jsonPath = ".status.progress.knnTop1", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
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
