package dev.contrastive.operator.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.operator.reconcile.ContrastiveTrainingRunReconciler;
import dev.contrastive.operator.testing.OperatorRbac;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/rbac.yaml grants the operator what the reconciler declares it uses (its {@link RBACRule}s,
 * kept next to the code), nothing more. The real-API-server suites run the operator under this
 * role, so a call it does not grant fails them.
 */
class RbacManifestTest {

  private static final List<HasMetadata> OBJECTS = OperatorRbac.objects(new KubernetesClientBuilder().build());

  @Test
  void clusterRoleGrantsExactlyWhatTheReconcilerDeclares() {
    Set<String> declared = Arrays.stream(ContrastiveTrainingRunReconciler.class.getAnnotationsByType(RBACRule.class))
        .flatMap(rule -> grants(List.of(rule.apiGroups()), List.of(rule.resources()), List.of(rule.verbs())))
        .collect(Collectors.toCollection(TreeSet::new));

    assertThat(grants(clusterRole().getRules())).isEqualTo(declared);
  }

  @Test
  void nothingIsGrantedWholesaleOrAllowsEscalation() {
    List<PolicyRule> rules = Stream.concat(clusterRole().getRules().stream(), leaseRole().getRules().stream()).toList();
    assertThat(rules).allSatisfy(rule -> {
      assertThat(rule.getVerbs()).doesNotContain("*", "escalate", "bind", "impersonate", "deletecollection");
      assertThat(rule.getResources()).doesNotContain("*");
      assertThat(rule.getApiGroups()).doesNotContain("*");
      assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
    });
  }

  @Test
  void secretsCanOnlyBeCreatedOrReadByName() {
    assertThat(grants(clusterRole().getRules())).filteredOn(g -> g.startsWith("/secrets "))
        .containsExactlyInAnyOrder("/secrets create", "/secrets get");
  }

  @Test
  void batchSchedulersObjectsOnlyAsFarAsTheOperatorUsesThem() {
    // Volcano: the run's PodGroup is created and kept up to date, never listed or deleted (the
    // garbage collector deletes it with the run). Kueue: only a given-up group's Workload is deleted.
    assertThat(grants(clusterRole().getRules())).filteredOn(g -> g.startsWith("scheduling.volcano.sh/"))
        .containsExactlyInAnyOrder("scheduling.volcano.sh/podgroups create", "scheduling.volcano.sh/podgroups get",
            "scheduling.volcano.sh/podgroups update");
    assertThat(grants(clusterRole().getRules())).filteredOn(g -> g.startsWith("kueue.x-k8s.io/"))
        .containsExactly("kueue.x-k8s.io/workloads delete");
  }

  @Test
  void ownerReferencesWithBlockOwnerDeletionAreAllowed() {
    assertThat(grants(clusterRole().getRules())).contains("contrastive.dev/contrastivetrainingruns/finalizers update");
  }

  @Test
  void leasesOnlyInTheOperatorsNamespaceWithTheVerbsLeaderElectionUses() {
    Role role = leaseRole();
    assertThat(role.getMetadata().getNamespace()).isEqualTo(OperatorRbac.NAMESPACE);
    // Java Operator SDK checks get, create and update before it starts; Fabric8's elector patches
    // (LeaderElectionTest runs it under this role).
    assertThat(grants(role.getRules())).containsExactlyInAnyOrder("coordination.k8s.io/leases create",
        "coordination.k8s.io/leases get", "coordination.k8s.io/leases update", "coordination.k8s.io/leases patch");
    assertThat(grants(clusterRole().getRules())).noneMatch(g -> g.contains("leases"));
  }

  @Test
  void theClusterRoleIsBoundToTheOperatorsServiceAccountOnly() {
    ClusterRoleBinding binding = only(ClusterRoleBinding.class);
    assertThat(binding.getRoleRef().getName()).isEqualTo(clusterRole().getMetadata().getName());
    assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
      assertThat(subject.getKind()).isEqualTo("ServiceAccount");
      assertThat(subject.getName()).isEqualTo(OperatorRbac.SERVICE_ACCOUNT);
      assertThat(subject.getNamespace()).isEqualTo(OperatorRbac.NAMESPACE);
    });
  }

  private static ClusterRole clusterRole() {
    return only(ClusterRole.class);
  }

  private static Role leaseRole() {
    return only(Role.class);
  }

  private static <T extends HasMetadata> T only(Class<T> kind) {
    List<T> found = OBJECTS.stream().filter(kind::isInstance).map(kind::cast).toList();
    assertThat(found).as("one " + kind.getSimpleName() + " in " + OperatorRbac.MANIFEST).hasSize(1);
    return found.get(0);
  }

  /** Each (group/resource verb) a rule grants, one string each, so sets compare rule by rule. */
  static Set<String> grants(List<PolicyRule> rules) {
    return rules.stream()
        .flatMap(rule -> grants(rule.getApiGroups(), rule.getResources(), rule.getVerbs()))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Stream<String> grants(List<String> groups, List<String> resources, List<String> verbs) {
    return groups.stream().flatMap(group -> resources.stream()
        .flatMap(resource -> verbs.stream().map(verb -> group + "/" + resource + " " + verb)));
  }
}
