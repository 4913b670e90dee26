package dev.contrastive.trainer.data.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Hugging Face settings a process gets from its environment, read as the Hugging Face tools
 * read them: HF_ENDPOINT (default the public Hub), HF_TOKEN (else HUGGING_FACE_HUB_TOKEN, else the
 * file {@code token} in HF_HOME that {@code huggingface-cli login} writes), HF_HUB_OFFLINE, and the
 * cache: HF_HUB_CACHE, else HF_HOME/hub, else XDG_CACHE_HOME/huggingface/hub, else
 * ~/.cache/huggingface/hub.
 *
 * @param token null without one
 */
public record HubSettings(String endpoint, String token, boolean offline, Path cache) {

  public static final String PUBLIC_HUB = "https://huggingface.co";
  private static final Set<String> TRUE = Set.of("1", "on", "yes", "true");

  public static HubSettings fromEnvironment(Map<String, String> env) {
    String endpoint = nonBlank(env.get("HF_ENDPOINT"));
    Path home = home(env);
    String hubCache = nonBlank(env.get("HF_HUB_CACHE"));
    String token = nonBlank(env.get("HF_TOKEN"));
    if (token == null) {
      token = nonBlank(env.get("HUGGING_FACE_HUB_TOKEN"));
    }
    if (token == null) {
      token = tokenFile(home.resolve("token"));
    }
    String offline = nonBlank(env.get("HF_HUB_OFFLINE"));
    return new HubSettings(
        endpoint == null ? PUBLIC_HUB : stripSlash(endpoint),
        token,
        offline != null && TRUE.contains(offline.toLowerCase(Locale.ROOT)),
        hubCache != null ? Path.of(hubCache) : home.resolve("hub"));
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "HubSettings[endpoint=" + endpoint + ", token=" + (token == null ? "none" : "set") + ", offline=" + offline
        + ", cache=" + cache + "]";
  }

  /** What to say about the token in messages, never the token itself. */
  String describeToken() {
    return token == null ? "no token (HF_TOKEN is not set)" : "the token in HF_TOKEN";
  }

  private static Path home(Map<String, String> env) {
    String home = nonBlank(env.get("HF_HOME"));
    if (home != null) {
      return Path.of(home);
    }
    String xdg = nonBlank(env.get("XDG_CACHE_HOME"));
    return (xdg != null ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("huggingface");
  }

  private static String tokenFile(Path file) {
    try {
      return Files.isRegularFile(file) ? nonBlank(Files.readString(file).strip()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static String nonBlank(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
