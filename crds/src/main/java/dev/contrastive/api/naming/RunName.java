package dev.contrastive.api.naming;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a run may be called: every object the operator derives from the name must be valid too.
 * Worker pods are {@code <run>-worker-<rank>} and their host names (DNS-1123 labels, at most 63
 * characters), the Service {@code <run>-workers} a DNS-1035 label, and the run's name is also the
 * value of the {@code contrastive.dev/run} label on every pod. So the name is a DNS-1035 label
 * (lower-case letters, digits and '-', starting with a letter, ending with a letter or digit),
 * short enough that the longest suffix still fits in 63 characters.
 */
public final class RunName {

  /** Kubernetes' limit for a DNS label, a label value and a pod's host name. */
  public static final int DNS_LABEL_MAX_LENGTH = 63;
  /** spec.workers and spec.maxNodes allow at most this many workers, so ranks end at MAX_WORKERS - 1. */
  public static final int MAX_WORKERS = 1024;

  public static final String CONFIG_SUFFIX = "-config";
  public static final String STATE_SUFFIX = "-state";
  public static final String SERVICE_SUFFIX = "-workers";
  public static final String TRAINER_ACCESS_SUFFIX = "-trainer";
  public static final String TOKEN_SECRET_SUFFIX = "-rendezvous";
  public static final String NETWORK_POLICY_SUFFIX = "-workers";
  public static final String WORKER_SUFFIX = "-worker-";

  /** Every suffix of a derived name, the worker's with the highest rank. */
  public static final List<String> SUFFIXES = List.of(CONFIG_SUFFIX, STATE_SUFFIX, SERVICE_SUFFIX,
      TRAINER_ACCESS_SUFFIX, TOKEN_SECRET_SUFFIX, NETWORK_POLICY_SUFFIX, WORKER_SUFFIX + (MAX_WORKERS - 1));

  /** 51: 63 less {@code -worker-1023}. */
  public static final int MAX_LENGTH = DNS_LABEL_MAX_LENGTH
      - SUFFIXES.stream().mapToInt(String::length).max().orElseThrow();

  /** A DNS-1035 label, as the CRD's schema writes it (anchored, as OpenAPI patterns are not). */
  public static final String PATTERN = "^[a-z]([-a-z0-9]*[a-z0-9])?$";
  private static final Pattern COMPILED = Pattern.compile(PATTERN);

  private RunName() {}

  /** What is wrong with {@code name} as a run's name, in one sentence naming metadata.name; empty if fine. */
  public static Optional<String> problem(String name) {
    if (name == null || name.isEmpty()) {
      return Optional.of("metadata.name is required");
    }
    if (name.length() > MAX_LENGTH) {
      return Optional.of("metadata.name '" + name + "' has " + name.length() + " characters; at most " + MAX_LENGTH
          + " are allowed, so that its workers' names (" + name + WORKER_SUFFIX + (MAX_WORKERS - 1)
          + ") fit in " + DNS_LABEL_MAX_LENGTH);
    }
    if (!COMPILED.matcher(name).matches()) {
      return Optional.of("metadata.name '" + name + "' is not a DNS-1035 label: lower-case letters, digits and '-',"
          + " starting with a letter and ending with a letter or digit");
    }
    return Optional.empty();
  }
}
