package dev.contrastive.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunNetworkPolicyTest {

  private final ContrastiveTrainingRun run = Fixtures.run("simclr", "team-a");

  @Test
  void selectsTheRunsPodsAndOwnsOnlyIngress() {
    NetworkPolicy policy = RunNetworkPolicy.of(run, List.of());

    assertThat(policy.getMetadata().getName()).isEqualTo("simclr-workers");
    assertThat(policy.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(owner -> assertThat(owner.getUid()).isEqualTo("uid-simclr"));
    assertThat(policy.getSpec().getPodSelector().getMatchLabels()).isEqualTo(Map.of("contrastive.dev/run", "simclr"));
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
  }

  @Test
  void theRunsOwnPodsReachEveryPortOfItsWorkers() {
    NetworkPolicyIngressRule peers = RunNetworkPolicy.of(run, List.of("monitoring")).getSpec().getIngress().get(0);

    // rendezvous and the ring ports each rank picks at start: no port list
    assertThat(peers.getPorts()).isNullOrEmpty();
    assertThat(peers.getFrom()).singleElement().satisfies(peer -> {
      assertThat(peer.getPodSelector().getMatchLabels()).isEqualTo(Map.of("contrastive.dev/run", "simclr"));
      assertThat(peer.getNamespaceSelector()).as("the run's own namespace only").isNull();
      assertThat(peer.getIpBlock()).isNull();
    });
  }

  @Test
  void theMetricsPortsOfEveryProcessAreOpenToTheConfiguredNamespacesOnly() {
    run.getSpec().resources.gpusPerNode = 2; // two processes per worker: ports 9400 and 9401

    NetworkPolicyIngressRule metrics = RunNetworkPolicy.of(run, List.of("observability", "monitoring"))
        .getSpec().getIngress().get(1);

    assertThat(metrics.getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(9400, 9401);
    assertThat(metrics.getPorts()).extracting(NetworkPolicyPort::getProtocol).containsOnly("TCP");
    assertThat(metrics.getFrom()).singleElement().satisfies(peer -> {
      assertThat(peer.getPodSelector()).isNull();
      assertThat(peer.getNamespaceSelector().getMatchExpressions()).singleElement().satisfies(e -> {
        assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
        assertThat(e.getOperator()).isEqualTo("In");
        assertThat(e.getValues()).containsExactly("monitoring", "observability");
      });
    });
  }

  @Test
  void withoutConfiguredNamespacesTheMetricsPortsAreOpenToAnySource() {
    NetworkPolicyIngressRule metrics = RunNetworkPolicy.of(run, List.of()).getSpec().getIngress().get(1);

    assertThat(metrics.getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(9400);
    assertThat(metrics.getFrom()).isNullOrEmpty();
  }

  @Test
  void withoutMetricsOnlyTheRunsPodsAreAdmitted() {
    run.getSpec().metrics.port = 0;

    assertThat(RunNetworkPolicy.of(run, List.of("monitoring")).getSpec().getIngress()).hasSize(1);
  }
}
