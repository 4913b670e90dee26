package dev.contrastive.operator.startup;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Only one operator replica reconciles at a time: a rolling update starts the new pod beside the
 * old one, and two reconcilers would race to create and restart gangs. The replicas share a Lease
 * in the operator's own namespace (deploy/rbac.yaml grants it); a replica that loses the lease
 * exits and is restarted as a follower. The Quarkus Operator SDK activates this in the prod
 * profile only, so dev mode and tests run without it.
 */
@Singleton
public class LeaderElection {

  public static final String LEASE_NAME = "contrastive-operator-leader";

  /** The lease every replica of this operator competes for; identity defaults to the pod name. */
  public static LeaderElectionConfigurationBuilder lease() {
    return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME);
  }

  @Produces
  @Singleton
  LeaderElectionConfiguration configuration() {
    return lease().build();
  }
}
