package dev.contrastive.operator.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.operator.status.StatusPatcher;
import dev.contrastive.operator.testing.Fixtures;
import dev.contrastive.operator.testing.OperatorRbac;
import dev.contrastive.operator.testing.RealApiServer;
import dev.contrastive.operator.testing.TestOperators;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two operator replicas (a rolling update) never reconcile at once: a replica that does not hold
 * the lease leaves runs alone, and takes over once the holder stops renewing it.
 */
class LeaderElectionTest {

  // The operator's own namespace, where deploy/rbac.yaml lets it hold the lease.
  private static final String LEASE_NAMESPACE = OperatorRbac.NAMESPACE;
  /** Long enough that an old replica renewing every 500 ms on a loaded machine never loses it by accident. */
  private static final int LEASE_SECONDS = 8;

  private final KubernetesClient client = RealApiServer.get().client();
  /** Also installs deploy/rbac.yaml and the operator's namespace. */
  private final KubernetesClient operatorClient = RealApiServer.get().operatorClient();
  private final ScheduledExecutorService oldReplica = Executors.newSingleThreadScheduledExecutor();
  private Operator follower;

  @AfterEach
  void stop() {
    oldReplica.shutdownNow();
    if (follower != null) {
      follower.stop();
    }
    client.resources(Lease.class).inNamespace(LEASE_NAMESPACE).withName(LeaderElection.LEASE_NAME).delete();
  }

  @Test
  void aReplicaWithoutTheLeaseWaitsAndTakesOverWhenTheLeaderStopsRenewing() {
    // The old replica of a rolling update holds the lease and keeps renewing it until it stops.
    ZonedDateTime acquired = now();
    client.resource(new LeaseBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(LeaderElection.LEASE_NAME).withNamespace(LEASE_NAMESPACE).build())
        .withNewSpec().withHolderIdentity("old-replica").withLeaseDurationSeconds(LEASE_SECONDS)
        .withAcquireTime(acquired).withRenewTime(acquired).withLeaseTransitions(0).endSpec()
        .build()).create();
    oldReplica.scheduleAtFixedRate(() -> client.resources(Lease.class).inNamespace(LEASE_NAMESPACE)
        .withName(LeaderElection.LEASE_NAME).edit(lease -> new LeaseBuilder(lease).editSpec()
            .withRenewTime(now()).endSpec().build()), 500, 500, TimeUnit.MILLISECONDS);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("leader-election").endMetadata()
        .build()).serverSideApply();
    ContrastiveTrainingRun run = Fixtures.run("waits-for-the-leader", "leader-election");
    run.getMetadata().setUid(null);
    client.resource(run).create();

    follower = TestOperators.start(operatorClient, Optional.of(StatusPatcher.FIELD_MANAGER),
        o -> o.withLeaderElectionConfiguration(LeaderElection.lease()
            .withLeaseNamespace(LEASE_NAMESPACE).withIdentity("new-replica")
            .withLeaseDuration(Duration.ofSeconds(LEASE_SECONDS)).withRenewDeadline(Duration.ofSeconds(3))
            .withRetryPeriod(Duration.ofMillis(500)).buildForTest(false)));

    await().during(Duration.ofSeconds(LEASE_SECONDS + 1)).atMost(Duration.ofSeconds(LEASE_SECONDS + 30))
        .until(() -> !reconciled(run));
    oldReplica.shutdownNow(); // the old pod is gone: its lease runs out
    await().atMost(Duration.ofSeconds(LEASE_SECONDS + 60)).until(() -> reconciled(run));
    assertThat(client.resources(Lease.class).inNamespace(LEASE_NAMESPACE).withName(LeaderElection.LEASE_NAME).get()
        .getSpec().getHolderIdentity()).isEqualTo("new-replica");
  }

  private static ZonedDateTime now() {
    return ZonedDateTime.now().truncatedTo(ChronoUnit.MICROS);
  }

  /** The operator records the generation it saw in every status it writes. */
  private boolean reconciled(ContrastiveTrainingRun run) {
    ContrastiveTrainingRun current = client.resources(ContrastiveTrainingRun.class)
        .inNamespace(run.getMetadata().getNamespace()).withName(run.getMetadata().getName()).get();
    return current.getStatus() != null && current.getStatus().observedGeneration != null;
  }
}
