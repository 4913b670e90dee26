package dev.contrastive.operator.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.operator.testing.OperatorRbac;
import dev.contrastive.operator.testing.RealApiServer;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * On a real API server with deploy/rbac.yaml applied, the operator's ServiceAccount asks
 * SelfSubjectAccessReview what it may do (as {@code kubectl auth can-i --as} would): what its job
 * needs, in any namespace, and none of what a stolen token would be used for.
 */
class OperatorAccessTest {

  private final KubernetesClient operator = RealApiServer.get().operatorClient();

  @ParameterizedTest(name = "can {0} {1}.{2} in {3}")
  @CsvSource({
      "get, contrastive.dev, contrastivetrainingruns, team-a,",
      "watch, contrastive.dev, contrastivetrainingruns, '',",
      "delete, contrastive.dev, contrastivetrainingruns, team-a,",
      "patch, contrastive.dev, contrastivetrainingruns, team-a, status",
      "update, contrastive.dev, contrastivetrainingruns, team-a, finalizers",
      "create, '', pods, team-a,",
      "delete, '', pods, team-a,",
      "watch, '', pods, '',",
      "create, '', secrets, team-a,",
      "get, '', secrets, team-a,",
      "update, '', configmaps, team-a,",
      "create, '', serviceaccounts, team-a,",
      "create, rbac.authorization.k8s.io, roles, team-a,",
      "create, rbac.authorization.k8s.io, rolebindings, team-a,",
      "create, '', events, team-a,",
      "get, '', events, team-a,",
      "patch, '', events, team-a,",
      "watch, '', nodes, '',",
      "list, '', nodes, '',",
      "list, '', pods, '',",
      "get, '', configmaps, team-a,",
      "get, '', services, team-a,",
      "get, rbac.authorization.k8s.io, roles, team-a,",
      "create, scheduling.volcano.sh, podgroups, team-a,",
      "update, scheduling.volcano.sh, podgroups, team-a,",
      "delete, kueue.x-k8s.io, workloads, team-a,",
      "get, networking.k8s.io, networkpolicies, team-a,",
      "create, networking.k8s.io, networkpolicies, team-a,",
      "update, networking.k8s.io, networkpolicies, team-a,",
      "watch, networking.k8s.io, networkpolicies, '',",
      "watch, '', configmaps, '',",
      "watch, '', services, '',",
      "watch, '', serviceaccounts, '',",
      "watch, rbac.authorization.k8s.io, roles, '',",
      "watch, rbac.authorization.k8s.io, rolebindings, '',",
      "update, coordination.k8s.io, leases, contrastive-system,",
      "patch, coordination.k8s.io, leases, contrastive-system,",
  })
  void mayDoItsJob(String verb, String group, String resource, String namespace, String subresource) {
    assertThat(allowed(verb, group, resource, namespace, subresource)).isTrue();
  }

  @ParameterizedTest(name = "cannot {0} {1}.{2} in {3}")
  @CsvSource({
      "list, '', secrets, team-a,",
      "list, '', secrets, '',",
      "watch, '', secrets, team-a,",
      "update, '', secrets, team-a,",
      "delete, '', secrets, team-a,",
      "escalate, rbac.authorization.k8s.io, roles, team-a,",
      "bind, rbac.authorization.k8s.io, roles, team-a,",
      "bind, rbac.authorization.k8s.io, clusterroles, '',",
      "create, rbac.authorization.k8s.io, clusterrolebindings, '',",
      "update, rbac.authorization.k8s.io, roles, team-a,",
      "impersonate, '', serviceaccounts, team-a,",
      "impersonate, '', users, '',",
      "create, '', serviceaccounts, team-a, token",
      "create, '', pods, team-a, exec",
      "update, '', pods, team-a,",
      "delete, '', nodes, '',",
      "patch, '', nodes, '',",
      "create, contrastive.dev, contrastivetrainingruns, team-a,",
      "update, contrastive.dev, contrastivetrainingruns, team-a,",
      "create, coordination.k8s.io, leases, team-a,",
      "delete, networking.k8s.io, networkpolicies, team-a,",
      "create, apps, deployments, team-a,",
      "list, scheduling.volcano.sh, podgroups, '',",
      "delete, scheduling.volcano.sh, podgroups, team-a,",
      "create, kueue.x-k8s.io, workloads, team-a,",
      "update, kueue.x-k8s.io, workloads, team-a,",
      "list, kueue.x-k8s.io, workloads, '',",
      "update, '', services, team-a,",
      "delete, '', configmaps, team-a,",
      "create, apiextensions.k8s.io, customresourcedefinitions, '',",
      "'*', '*', '*', '',",
  })
  void mayNotDoWhatAStolenTokenWouldBeUsedFor(String verb, String group, String resource, String namespace,
      String subresource) {
    assertThat(allowed(verb, group, resource, namespace, subresource)).isFalse();
  }

  private boolean allowed(String verb, String group, String resource, String namespace, String subresource) {
    SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder()
        .withNewSpec().withNewResourceAttributes()
            .withVerb(verb).withGroup(group).withResource(resource).withSubresource(subresource)
            .withNamespace(namespace)
        .endResourceAttributes().endSpec()
        .build();
    SelfSubjectAccessReview answer = operator.authorization().v1().selfSubjectAccessReview().create(review);
    assertThat(answer.getSpec().getResourceAttributes().getVerb()).isEqualTo(verb);
    return answer.getStatus().getAllowed();
  }

  @Test
  void theReviewsAreAskedAsTheOperator() {
    assertThat(OperatorRbac.USER).isEqualTo("system:serviceaccount:contrastive-system:contrastive-operator");
    assertThat(allowed("create", "", "pods", "team-a", null)).isTrue();
    assertThat(RealApiServer.get().client().authorization().v1().selfSubjectAccessReview()
        .create(new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
            .withVerb("list").withResource("secrets").endResourceAttributes().endSpec().build())
        .getStatus().getAllowed()).as("the administrator may (the test tells the two apart)").isTrue();
  }
}
