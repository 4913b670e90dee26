package dev.contrastive.local.pods;

import java.nio.file.Path;
import java.util.Map;

/** What the simulated nodes give every container, in place of a kubelet's mounts. */
public final class NodeEnv {

  private NodeEnv() {}

  /**
   * {@code KUBECONFIG} for the API (so a trainer never falls back to the user's own
   * {@code ~/.kube/config}), and this machine's DJL cache: without it each run would unpack
   * libtorch (about 430 MB) into its own emptyDir, like pulling an image layer per pod.
   */
  public static Map<String, String> of(Path kubeconfig, Map<String, String> hostEnv) {
    String djlCache = hostEnv.getOrDefault("DJL_CACHE_DIR",
        Path.of(System.getProperty("user.home"), ".djl.ai").toString());
    return Map.of("KUBECONFIG", kubeconfig.toAbsolutePath().toString(), "DJL_CACHE_DIR", djlCache);
  }
}
