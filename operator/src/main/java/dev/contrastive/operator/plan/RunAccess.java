package dev.contrastive.operator.plan;

import dev.contrastive.api.ContrastiveTrainingRun;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;

/**
 * The trainer's identity: it may read this one run, patch its status (progress) and create Events
 * in its namespace, nothing else, so a compromised worker cannot touch other runs or objects.
 */
public final class RunAccess {

  private RunAccess() {}

  public static ServiceAccount serviceAccount(ContrastiveTrainingRun run) {
    return new ServiceAccountBuilder()
        .withMetadata(Owned.meta(run, RunNames.trainerAccess(run)).build())
        .withAutomountServiceAccountToken(true)
        .build();
  }

  public static Role role(ContrastiveTrainingRun run) {
    String name = run.getMetadata().getName();
    return new RoleBuilder()
        .withMetadata(Owned.meta(run, RunNames.trainerAccess(run)).build())
        .addToRules(new PolicyRuleBuilder()
            .withApiGroups(ContrastiveTrainingRun.GROUP)
            .withResources("contrastivetrainingruns")
            .withResourceNames(name)
            .withVerbs("get")
            .build())
        .addToRules(new PolicyRuleBuilder()
            .withApiGroups(ContrastiveTrainingRun.GROUP)
            .withResources("contrastivetrainingruns/status")
            .withResourceNames(name)
            .withVerbs("get", "patch")
            .build())
        // a skipped corrupt checkpoint is a Warning Event on the run; Events are display data, as
        // is the status.progress the trainer already writes (create only: no reading others' Events)
        .addToRules(new PolicyRuleBuilder()
            .withApiGroups("")
            .withResources("events")
            .withVerbs("create")
            .build())
        .build();
  }

  public static RoleBinding roleBinding(ContrastiveTrainingRun run) {
    String name = RunNames.trainerAccess(run);
    return new RoleBindingBuilder()
        .withMetadata(Owned.meta(run, name).build())
        .withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
        .addNewSubject().withKind("ServiceAccount").withName(name)
            .withNamespace(run.getMetadata().getNamespace()).endSubject()
        .build();
  }
}
