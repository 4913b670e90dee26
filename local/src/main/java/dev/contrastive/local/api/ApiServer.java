package dev.contrastive.local.api;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.Optional;

/** The Kubernetes API of a local run: a real kube-apiserver or the Fabric8 mock server. */
public interface ApiServer extends AutoCloseable {

  KubernetesClient client();

  /** Which server this is, for the console. */
  String description();

  /** A kubeconfig file that {@code kubectl} can use, when the server is a real one. */
  Optional<Path> kubeconfig();

  /** Whether a status patch that names a field manager is stored (the mock server drops it). */
  boolean keepsFieldManagedStatus();

  /**
   * A kubeconfig for the pods' processes, which report progress through it (the local stand-in
   * for a pod's service account token). Written under {@code dir} when the server has none.
   */
  Path podKubeconfig(Path dir);

  @Override
  void close();
}
