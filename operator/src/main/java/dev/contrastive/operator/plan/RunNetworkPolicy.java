package dev.contrastive.operator.plan;

import dev.contrastive.api.ContrastiveTrainingRun;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may connect to a run's worker pods: the run's own pods, on any port (the rendezvous port
 * and each rank's ring port, which the trainer picks at start), and on the metrics ports the
 * namespaces the operator is configured with ({@code contrastive.operator.metrics-namespaces}; any
 * source when none are). Every other connection to the workers is refused where the cluster's
 * network plugin enforces NetworkPolicies.
 */
public final class RunNetworkPolicy {

  /** Set on every namespace by the API server (Kubernetes 1.21+): selects namespaces by name. */
  static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  private RunNetworkPolicy() {}

  /** @param metricsNamespaces who may scrape the metrics ports; empty: any source */
  public static NetworkPolicy of(ContrastiveTrainingRun run, List<String> metricsNamespaces) {
    List<NetworkPolicyIngressRule> ingress = new ArrayList<>();
    ingress.add(new NetworkPolicyIngressRuleBuilder()
        .addNewFrom().withPodSelector(new LabelSelectorBuilder().withMatchLabels(RunNames.runLabels(run)).build())
        .endFrom()
        .build());
    var metricsPorts = MetricsPorts.of(run.getSpec());
    if (!metricsPorts.isEmpty()) {
      NetworkPolicyIngressRuleBuilder metrics = new NetworkPolicyIngressRuleBuilder();
      metricsPorts.forEach(port -> metrics.addToPorts(new NetworkPolicyPortBuilder()
          .withProtocol("TCP").withPort(new IntOrString(port.getContainerPort())).build()));
      if (!metricsNamespaces.isEmpty()) {
        metrics.addNewFrom().withNewNamespaceSelector()
            .addNewMatchExpression().withKey(NAMESPACE_NAME_LABEL).withOperator("In")
                .withValues(metricsNamespaces.stream().sorted().distinct().toList()).endMatchExpression()
            .endNamespaceSelector().endFrom();
      }
      ingress.add(metrics.build());
    }
    return new NetworkPolicyBuilder()
        .withMetadata(Owned.meta(run, RunNames.networkPolicy(run)).build())
        .withNewSpec()
            .withPodSelector(new LabelSelectorBuilder().withMatchLabels(RunNames.runLabels(run)).build())
            .withPolicyTypes("Ingress")
            .withIngress(ingress)
        .endSpec()
        .build();
  }
}
