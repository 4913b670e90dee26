package dev.contrastive.local.api;

import dev.contrastive.api.ContrastiveTrainingRun;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;

/** Installs the ContrastiveTrainingRun CRD shipped in the crds jar and waits until it serves. */
public final class CrdInstaller {

  static final String RESOURCE = "META-INF/fabric8/" + ContrastiveTrainingRun.CRD_NAME + "-v1.yml";

  private CrdInstaller() {}

  public static CustomResourceDefinition install(KubernetesClient client, Duration timeout) {
    CustomResourceDefinition crd;
    try (InputStream yaml = CrdInstaller.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (yaml == null) {
        throw new IllegalStateException("the crds jar lacks " + RESOURCE);
      }
      crd = client.apiextensions().v1().customResourceDefinitions().load(yaml).item();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CustomResourceDefinition installed = client.resource(crd).createOr(NonDeletingOperation::update);
    awaitServed(client, timeout);
    return installed;
  }

  /**
   * A real server answers 404 for the new kind until the CRD is established. Polled rather than
   * waitUntilCondition on the CRD's Established condition: the mock server never sets it.
   */
  private static void awaitServed(KubernetesClient client, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      try {
        client.resources(ContrastiveTrainingRun.class).inAnyNamespace().list();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404 || Instant.now().isAfter(deadline)) {
          throw e;
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the CRD", e);
      }
    }
  }
}
