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

  @Override
  void close();
}
