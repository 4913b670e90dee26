package dev.contrastive.operator.startup;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Only one operator replica reconciles at a time: a rolling update starts the new pod beside the
 * old one, and two reconcilers would race to create and restart gangs. The replicas share a Lease
 * in the operator's own namespace (deploy/rbac.yaml grants it); a replica that loses the lease
 * exits and is restarted as a follower. The Quarkus Operator SDK activates this in the prod
 * profile only, so dev mode and tests run without it. The lease timing can be set
 * (contrastive.operator.leader-election.*, the Helm chart's leaderElection values); unset, JOSDK's
 * defaults apply.
 */
@Singleton
public class LeaderElection {

  public static final String LEASE_NAME = "contrastive-operator-leader";
  public static final String LEASE_DURATION = "contrastive.operator.leader-election.lease-duration";
  public static final String RENEW_DEADLINE = "contrastive.operator.leader-election.renew-deadline";
  public static final String RETRY_PERIOD = "contrastive.operator.leader-election.retry-period";

  /** The lease every replica of this operator competes for; identity defaults to the pod name. */
  public static LeaderElectionConfigurationBuilder lease() {
    return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME);
  }

  /** The lease with the timing the operator is configured with; an absent value keeps JOSDK's default. */
  public static LeaderElectionConfiguration timed(
      Optional<Duration> leaseDuration, Optional<Duration> renewDeadline, Optional<Duration> retryPeriod) {
    LeaderElectionConfigurationBuilder lease = lease();
    leaseDuration.ifPresent(lease::withLeaseDuration);
    renewDeadline.ifPresent(lease::withRenewDeadline);
    retryPeriod.ifPresent(lease::withRetryPeriod);
    return lease.build();
  }

  @Produces
  @Singleton
  LeaderElectionConfiguration configuration(
      @ConfigProperty(name = LEASE_DURATION) Optional<Duration> leaseDuration,
      @ConfigProperty(name = RENEW_DEADLINE) Optional<Duration> renewDeadline,
      @ConfigProperty(name = RETRY_PERIOD) Optional<Duration> retryPeriod) {
    return timed(leaseDuration, renewDeadline, retryPeriod);
  }
}
