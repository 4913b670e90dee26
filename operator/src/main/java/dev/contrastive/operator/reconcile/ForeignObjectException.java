package dev.contrastive.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * An object of a name the run needs exists and another owner (or none) controls it: the run must
 * not use it (a ServiceAccount's token, a Secret, a ConfigMap someone else wrote) nor overwrite it.
 */
final class ForeignObjectException extends RuntimeException {

  ForeignObjectException(HasMetadata object, String owner) {
    super(object.getKind() + " " + object.getMetadata().getName() + " already exists in namespace "
        + object.getMetadata().getNamespace() + " and " + owner + "; the run neither uses nor changes it: "
        + "delete or rename it, or give the run another name");
  }
}
