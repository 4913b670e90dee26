package dev.contrastive.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * An object the run needs still belongs to a deleted run of the same name (another uid): the
 * garbage collector removes it shortly, and the run waits for that rather than failing.
 */
final class PreviousRunObjectException extends RuntimeException {

  PreviousRunObjectException(HasMetadata object) {
    super(object.getKind() + " " + object.getMetadata().getName() + " of a deleted run of the same name "
        + "is still being removed; the run starts once it is gone");
  }
}
