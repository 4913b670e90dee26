package dev.contrastive.operator.plan;

import dev.contrastive.api.ContrastiveTrainingRun;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Metadata of an object the run controls, so that deleting the run deletes it. */
final class Owned {

  private Owned() {}

  static ObjectMetaBuilder meta(ContrastiveTrainingRun run, String name) {
    ObjectMeta runMeta = run.getMetadata();
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(runMeta.getNamespace())
        .addToLabels(RunNames.runLabels(run))
        .addToOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion(ContrastiveTrainingRun.API_VERSION)
            .withKind("ContrastiveTrainingRun")
            .withName(runMeta.getName())
            .withUid(runMeta.getUid())
            .withController(true)
            .withBlockOwnerDeletion(true)
            .build());
  }
}
