package dev.contrastive.local.pods;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A container's env as a kubelet on this machine would set it: envFrom (Secrets and ConfigMaps,
 * with prefix), then literal values (with $(VAR) references), the downward API, Secret and
 * ConfigMap keys. Every pod runs here, so the pod IP and any in-cluster DNS name
 * (a {@code .svc} name, or {@code MASTER_ADDR}) are 127.0.0.1, and paths under a volume's
 * mountPath move to the volume's local folder. Each run's MASTER_PORT is a port of its own
 * ({@link RunPorts}).
 */
public final class EnvResolver {

  public static final String LOCAL_IP = "127.0.0.1";
  /** Keys of an envFrom source that are not valid variable names are skipped, as a kubelet does. */
  private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

  private final KubernetesClient client;
  private final RunPorts runPorts = new RunPorts();

  public EnvResolver(KubernetesClient client) {
    this.client = client;
  }

  public Map<String, String> resolve(Pod pod, Container container, String nodeName, LocalVolumes volumes)
      throws ContainerConfigException {
    Map<String, String> env = new LinkedHashMap<>();
    // Values as the pod spec gives them, for $(VAR) references (each value is rewritten once).
    Map<String, String> written = new LinkedHashMap<>();
    // As a kubelet: envFrom first, then env, which wins over a key of the same name.
    for (EnvFromSource source : container.getEnvFrom()) {
      for (Map.Entry<String, String> entry : from(pod.getMetadata().getNamespace(), source).entrySet()) {
        String name = Objects.requireNonNullElse(source.getPrefix(), "") + entry.getKey();
        if (ENV_NAME.matcher(name).matches()) {
          written.put(name, entry.getValue());
          env.put(name, volumes.rewrite(entry.getValue()));
        }
      }
    }
    for (EnvVar var : container.getEnv()) {
      String value = var.getValueFrom() == null
          ? expand(Objects.requireNonNullElse(var.getValue(), ""), written)
          : from(pod, nodeName, var.getName(), var.getValueFrom());
      if (value != null) {
        written.put(var.getName(), value);
      }
      if (value != null && RunPorts.MASTER_PORT.equals(var.getName())) {
        env.put(var.getName(), runPorts.masterPort(pod, value));
      } else if (value != null) {
        env.put(var.getName(), volumes.rewrite(localAddress(var.getName(), value)));
      }
    }
    return env;
  }

  /**
   * $(NAME) of a variable defined before it is replaced by its value, $$ is a literal $, and an
   * unknown reference stays as written: the kubelet's rules.
   */
  static String expand(String value, Map<String, String> defined) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < value.length()) {
      char c = value.charAt(i);
      if (c == '$' && i + 1 < value.length() && value.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
      } else if (c == '$' && i + 1 < value.length() && value.charAt(i + 1) == '(' && value.indexOf(')', i) > 0) {
        int end = value.indexOf(')', i);
        String name = value.substring(i + 2, end);
        out.append(defined.containsKey(name) ? defined.get(name) : value.substring(i, end + 1));
        i = end + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** The keys of a Secret or ConfigMap named by envFrom; a missing optional one gives none. */
  private Map<String, String> from(String namespace, EnvFromSource source) throws ContainerConfigException {
    Map<String, String> values = new LinkedHashMap<>();
    if (source.getSecretRef() != null) {
      Secret secret = client.secrets().inNamespace(namespace).withName(source.getSecretRef().getName()).get();
      if (secret == null) {
        missing(Boolean.TRUE.equals(source.getSecretRef().getOptional()),
            "secret \"" + source.getSecretRef().getName() + "\" not found (envFrom)");
        return values;
      }
      Objects.requireNonNullElse(secret.getData(), Map.<String, String>of())
          .forEach((k, v) -> values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
      values.putAll(Objects.requireNonNullElse(secret.getStringData(), Map.of()));
    } else if (source.getConfigMapRef() != null) {
      ConfigMap map = client.configMaps().inNamespace(namespace).withName(source.getConfigMapRef().getName()).get();
      if (map == null) {
        missing(Boolean.TRUE.equals(source.getConfigMapRef().getOptional()),
            "configmap \"" + source.getConfigMapRef().getName() + "\" not found (envFrom)");
        return values;
      }
      values.putAll(Objects.requireNonNullElse(map.getData(), Map.of()));
    }
    return values;
  }

  /** In-cluster names of pods and services all point at this machine. */
  static String localAddress(String name, String value) {
    boolean clusterName = value.matches("[a-z0-9.-]+\\.svc(\\.cluster\\.local)?\\.?");
    return "MASTER_ADDR".equals(name) || clusterName ? LOCAL_IP : value;
  }

  /** Null when an optional source is missing (the variable is then left out, as a kubelet does). */
  private String from(Pod pod, String nodeName, String name, EnvVarSource source) throws ContainerConfigException {
    if (source.getFieldRef() != null) {
      return field(pod, nodeName, source.getFieldRef().getFieldPath());
    }
    if (source.getSecretKeyRef() != null) {
      return secretKey(pod.getMetadata().getNamespace(), source.getSecretKeyRef());
    }
    if (source.getConfigMapKeyRef() != null) {
      return configMapKey(pod.getMetadata().getNamespace(), source.getConfigMapKeyRef());
    }
    throw new ContainerConfigException("env " + name
        + ": local mode supports value, fieldRef, secretKeyRef and configMapKeyRef");
  }

  private static String field(Pod pod, String nodeName, String path) throws ContainerConfigException {
    return switch (path) {
      case "status.podIP", "status.hostIP" -> LOCAL_IP;
      case "metadata.name" -> pod.getMetadata().getName();
      case "metadata.namespace" -> pod.getMetadata().getNamespace();
      case "metadata.uid" -> pod.getMetadata().getUid();
      case "spec.nodeName" -> nodeName;
      case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
      default -> {
        if (path.startsWith("metadata.labels['") && path.endsWith("']")) {
          yield Objects.requireNonNullElse(pod.getMetadata().getLabels(), Map.<String, String>of())
              .getOrDefault(path.substring(17, path.length() - 2), "");
        }
        throw new ContainerConfigException("fieldRef " + path + " is not supported in local mode");
      }
    };
  }

  private String secretKey(String namespace, SecretKeySelector ref) throws ContainerConfigException {
    Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
    boolean optional = Boolean.TRUE.equals(ref.getOptional());
    if (secret == null) {
      return missing(optional, "secret \"" + ref.getName() + "\" not found");
    }
    String encoded = Objects.requireNonNullElse(secret.getData(), Map.<String, String>of()).get(ref.getKey());
    if (encoded != null) {
      return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }
    String plain = Objects.requireNonNullElse(secret.getStringData(), Map.<String, String>of()).get(ref.getKey());
    return plain != null ? plain
        : missing(optional, "couldn't find key " + ref.getKey() + " in Secret " + namespace + "/" + ref.getName());
  }

  private String configMapKey(String namespace, ConfigMapKeySelector ref) throws ContainerConfigException {
    ConfigMap map = client.configMaps().inNamespace(namespace).withName(ref.getName()).get();
    boolean optional = Boolean.TRUE.equals(ref.getOptional());
    if (map == null) {
      return missing(optional, "configmap \"" + ref.getName() + "\" not found");
    }
    String value = Objects.requireNonNullElse(map.getData(), Map.<String, String>of()).get(ref.getKey());
    return value != null ? value
        : missing(optional, "couldn't find key " + ref.getKey() + " in ConfigMap " + namespace + "/" + ref.getName());
  }

  private static String missing(boolean optional, String message) throws ContainerConfigException {
    if (optional) {
      return null;
    }
    throw new ContainerConfigException(message);
  }
}
