package dev.contrastive.operator.plan;

import dev.contrastive.api.ContrastiveTrainingRun;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

/** How the workers find rank 0: a headless Service for DNS and a shared token that admits peers. */
public final class Rendezvous {

  private Rendezvous() {}

  /**
   * Headless, and publishing not-ready addresses: rank 0 must be resolvable before it is ready,
   * since it becomes ready only once every peer has joined.
   */
  public static Service service(ContrastiveTrainingRun run) {
    return new ServiceBuilder()
        .withMetadata(Owned.meta(run, RunNames.service(run)).build())
        .withNewSpec()
            .withClusterIP("None")
            .withPublishNotReadyAddresses(true)
            .withSelector(RunNames.runLabels(run))
            .addNewPort().withName("rendezvous").withPort(port(run)).withProtocol("TCP").endPort()
        .endSpec()
        .build();
  }

  /** @param token random text, chosen once by the caller (this function stays pure) */
  public static Secret tokenSecret(ContrastiveTrainingRun run, String token) {
    return new SecretBuilder()
        .withMetadata(Owned.meta(run, RunNames.tokenSecret(run)).build())
        .withType("Opaque")
        .addToStringData(RunNames.TOKEN_KEY, token)
        .build();
  }

  /** @param run with its spec resolved ({@link ResolvedRun}) */
  static int port(ContrastiveTrainingRun run) {
    return run.getSpec().distributed.port;
  }
}
