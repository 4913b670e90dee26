package dev.contrastive.local.pods;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's volume mounts, made into folders on this machine. The rule: each mountPath maps
 * to a local folder, and any env value, argument or ConfigMap file text that names a path under
 * a mountPath is rewritten to the local folder.
 *
 * <p>Folders: ConfigMap and Secret volumes are written per pod (a missing optional one is an
 * empty folder, a missing required one keeps the pod Pending, as a kubelet does); a
 * PersistentVolumeClaim is one folder per claim (shared, like a ReadWriteMany claim); an emptyDir
 * (of any medium, so also a /dev/shm volume) is one folder per run and volume name for pods of a
 * run (label {@value #RUN_LABEL}), so a restarted gang finds the checkpoint the previous one
 * wrote, and one per pod otherwise; a hostPath is the path itself, this machine being every node.
 */
public final class LocalVolumes {

  public static final String RUN_LABEL = "contrastive.dev/run";

  /** mountPath -> local folder, longest mountPath first so nested mounts win. */
  private final Map<String, Path> mounts;

  private LocalVolumes(Map<String, Path> mounts) {
    this.mounts = mounts;
  }

  /** Creates the folders and writes ConfigMap/Secret files (their text rewritten too). */
  public static LocalVolumes materialise(KubernetesClient client, Pod pod, Container container,
      Path podDir, Path workDir) throws ContainerConfigException {
    String namespace = pod.getMetadata().getNamespace();
    Map<String, Volume> volumes = new LinkedHashMap<>();
    pod.getSpec().getVolumes().forEach(v -> volumes.put(v.getName(), v));
    Map<String, Path> mounts = new LinkedHashMap<>();
    Map<String, Path> volumeDirs = new LinkedHashMap<>();
    List<VolumeMount> sorted = container.getVolumeMounts().stream()
        .sorted(Comparator.comparingInt((VolumeMount m) -> m.getMountPath().length()).reversed())
        .toList();
    for (VolumeMount mount : sorted) {
      Volume volume = volumes.get(mount.getName());
      if (volume == null) {
        throw new ContainerConfigException("volumeMount " + mount.getName() + " names no volume of the pod");
      }
      if (!volumeDirs.containsKey(volume.getName())) {
        volumeDirs.put(volume.getName(), folder(pod, volume, podDir, workDir));
      }
      mounts.put(trimSlash(mount.getMountPath()), subPath(volumeDirs.get(volume.getName()), mount));
    }
    LocalVolumes local = new LocalVolumes(mounts);
    for (Volume volume : volumes.values()) {
      Path dir = volumeDirs.get(volume.getName());
      if (dir == null) {
        continue;
      }
      if (volume.getConfigMap() != null) {
        ConfigMap map = client.configMaps().inNamespace(namespace).withName(volume.getConfigMap().getName()).get();
        if (map == null && Boolean.TRUE.equals(volume.getConfigMap().getOptional())) {
          continue;
        }
        if (map == null) {
          throw new ContainerConfigException("configmap \"" + volume.getConfigMap().getName() + "\" not found"
              + " (volume " + volume.getName() + ")");
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        Objects.requireNonNullElse(map.getData(), Map.<String, String>of())
            .forEach((k, v) -> files.put(k, local.rewriteText(v).getBytes(StandardCharsets.UTF_8)));
        Objects.requireNonNullElse(map.getBinaryData(), Map.<String, String>of())
            .forEach((k, v) -> files.put(k, Base64.getDecoder().decode(v)));
        write(dir, files, volume.getConfigMap().getItems());
      } else if (volume.getSecret() != null) {
        Secret secret = client.secrets().inNamespace(namespace).withName(volume.getSecret().getSecretName()).get();
        if (secret == null && Boolean.TRUE.equals(volume.getSecret().getOptional())) {
          continue;
        }
        if (secret == null) {
          throw new ContainerConfigException("secret \"" + volume.getSecret().getSecretName() + "\" not found"
              + " (volume " + volume.getName() + ")");
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        Objects.requireNonNullElse(secret.getData(), Map.<String, String>of())
            .forEach((k, v) -> files.put(k, Base64.getDecoder().decode(v)));
        Objects.requireNonNullElse(secret.getStringData(), Map.<String, String>of())
            .forEach((k, v) -> files.put(k, v.getBytes(StandardCharsets.UTF_8)));
        write(dir, files, volume.getSecret().getItems());
      }
    }
    for (Path mounted : mounts.values()) {
      try {
        if (!Files.exists(mounted)) {
          Files.createDirectories(mounted);
        }
      } catch (IOException e) {
        throw new ContainerConfigException("cannot create " + mounted + ": " + e.getMessage());
      }
    }
    return local;
  }

  private static Path folder(Pod pod, Volume volume, Path podDir, Path workDir) throws ContainerConfigException {
    String namespace = pod.getMetadata().getNamespace();
    String run = Objects.requireNonNullElse(pod.getMetadata().getLabels(), Map.<String, String>of()).get(RUN_LABEL);
    Path dir;
    if (volume.getConfigMap() != null || volume.getSecret() != null) {
      dir = podDir.resolve("volumes").resolve(volume.getName());
    } else if (volume.getPersistentVolumeClaim() != null) {
      dir = workDir.resolve("claims").resolve(namespace).resolve(volume.getPersistentVolumeClaim().getClaimName());
    } else if (volume.getEmptyDir() != null) {
      dir = run != null
          ? workDir.resolve("runs").resolve(namespace).resolve(run).resolve(volume.getName())
          : podDir.resolve("volumes").resolve(volume.getName());
    } else if (volume.getHostPath() != null) {
      return hostPath(volume);
    } else {
      throw new ContainerConfigException("volume " + volume.getName()
          + ": local mode supports configMap, secret, emptyDir, hostPath and persistentVolumeClaim volumes");
    }
    try {
      return Files.createDirectories(dir).toAbsolutePath();
    } catch (IOException e) {
      throw new ContainerConfigException("cannot create " + dir + ": " + e.getMessage());
    }
  }

  /** A mount's subPath is a path inside its volume (made as a folder when absent, as a kubelet does). */
  private static Path subPath(Path volumeDir, VolumeMount mount) throws ContainerConfigException {
    String sub = mount.getSubPath();
    if (sub == null || sub.isEmpty()) {
      return volumeDir;
    }
    Path path = volumeDir.resolve(sub).normalize();
    if (Path.of(sub).isAbsolute() || !path.startsWith(volumeDir)) {
      throw new ContainerConfigException("volumeMount " + mount.getName() + ": subPath " + sub
          + " must be a relative path inside the volume");
    }
    return path;
  }

  /**
   * This machine is every simulated node, so a hostPath is that path here, checked as a kubelet
   * checks its type: Directory and File must exist, DirectoryOrCreate is made, FileOrCreate too.
   */
  private static Path hostPath(Volume volume) throws ContainerConfigException {
    Path path = Path.of(volume.getHostPath().getPath()).toAbsolutePath();
    String type = Objects.requireNonNullElse(volume.getHostPath().getType(), "");
    try {
      switch (type) {
        case "", "DirectoryOrCreate" -> {
          if (!Files.exists(path) || type.equals("DirectoryOrCreate")) {
            Files.createDirectories(path);
          }
        }
        case "FileOrCreate" -> {
          Files.createDirectories(path.getParent());
          if (!Files.exists(path)) {
            Files.createFile(path);
          }
        }
        case "Directory", "File" -> {
          if (type.equals("Directory") ? !Files.isDirectory(path) : !Files.isRegularFile(path)) {
            throw new ContainerConfigException("hostPath type check failed: " + path + " is not a "
                + (type.equals("Directory") ? "directory" : "file") + " (volume " + volume.getName() + ")");
          }
        }
        default -> throw new ContainerConfigException("volume " + volume.getName() + ": hostPath type " + type
            + " is not supported in local mode (Directory, DirectoryOrCreate, File, FileOrCreate or none)");
      }
    } catch (IOException e) {
      throw new ContainerConfigException("cannot create hostPath " + path + ": " + e.getMessage());
    }
    return path;
  }

  private static void write(Path dir, Map<String, byte[]> files, List<KeyToPath> items) throws ContainerConfigException {
    Map<String, String> paths = new LinkedHashMap<>();
    if (items == null || items.isEmpty()) {
      files.keySet().forEach(k -> paths.put(k, k));
    } else {
      items.forEach(i -> paths.put(i.getKey(), i.getPath()));
    }
    for (Map.Entry<String, String> e : paths.entrySet()) {
      byte[] content = files.get(e.getKey());
      if (content == null) {
        throw new ContainerConfigException("volume item key " + e.getKey() + " not found in " + dir.getFileName());
      }
      try {
        Path file = dir.resolve(e.getValue());
        Files.createDirectories(file.getParent());
        Files.write(file, content);
      } catch (IOException ex) {
        throw new ContainerConfigException("cannot write " + dir.resolve(e.getValue()) + ": " + ex.getMessage());
      }
    }
  }

  /** The local folder of a mountPath. */
  public Path folder(String mountPath) {
    return mounts.get(trimSlash(mountPath));
  }

  /** A value that is a path at or under a mountPath, moved to the local folder. */
  public String rewrite(String value) {
    if (value == null) {
      return null;
    }
    for (Map.Entry<String, Path> m : mounts.entrySet()) {
      if (value.equals(m.getKey()) || value.startsWith(m.getKey() + "/")) {
        return m.getValue() + value.substring(m.getKey().length());
      }
    }
    return value;
  }

  /** Every path in a text (a config file) that starts with a mountPath, moved to its folder. */
  String rewriteText(String text) {
    if (mounts.isEmpty()) {
      return text;
    }
    // One pass over all mountPaths (longest first) so a replaced path is never matched again.
    String alternatives = String.join("|", mounts.keySet().stream().map(Pattern::quote).toList());
    Pattern path = Pattern.compile("(?<=^|[\\s\"'=:,\\[])(" + alternatives + ")(?=$|[/\\s\"',\\]])",
        Pattern.MULTILINE);
    return path.matcher(text).replaceAll(m -> Matcher.quoteReplacement(mounts.get(m.group(1)).toString()));
  }

  private static String trimSlash(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
