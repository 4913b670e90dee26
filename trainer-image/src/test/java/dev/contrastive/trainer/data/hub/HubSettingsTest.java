package dev.contrastive.trainer.data.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment read as the Hugging Face tools read it: endpoint, token, offline switch, cache. */
class HubSettingsTest {

  @TempDir Path tmp;

  @Test
  void withoutSettingsThePublicHubAndTheUsersCacheAreUsed() {
    HubSettings settings = HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", tmp.toString()));

    assertThat(settings.endpoint()).isEqualTo("https://huggingface.co");
    assertThat(settings.token()).isNull();
    assertThat(settings.offline()).isFalse();
    assertThat(settings.cache()).isEqualTo(tmp.resolve("huggingface/hub"));
  }

  @Test
  void endpointTokenAndHomeComeFromTheirVariables() {
    HubSettings settings = HubSettings.fromEnvironment(Map.of(
        "HF_ENDPOINT", "http://mirror.internal:8080/", "HF_TOKEN", " hf_abc\n", "HF_HOME", tmp.toString()));

    assertThat(settings.endpoint()).isEqualTo("http://mirror.internal:8080");
    assertThat(settings.token()).isEqualTo("hf_abc");
    assertThat(settings.cache()).isEqualTo(tmp.resolve("hub"));
    assertThat(settings.toString()).doesNotContain("hf_abc");
  }

  @Test
  void theTokenFallsBackToTheOldVariableThenToTheLoginFile() throws IOException {
    assertThat(HubSettings.fromEnvironment(Map.of("HUGGING_FACE_HUB_TOKEN", "hf_old", "HF_HOME", tmp.toString()))
        .token()).isEqualTo("hf_old");
    Files.writeString(tmp.resolve("token"), "hf_login\n");
    assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", tmp.toString())).token()).isEqualTo("hf_login");
    assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", tmp.toString(), "HF_TOKEN", "hf_env")).token())
        .isEqualTo("hf_env");
  }

  @Test
  void hubOfflineIsOnForTheValuesTheHuggingFaceToolsAccept() {
    for (String on : new String[] {"1", "ON", "yes", "True"}) {
      assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", on, "HF_HOME", tmp.toString())).offline())
          .as(on).isTrue();
    }
    for (String off : new String[] {"0", "false", "", "no"}) {
      assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", off, "HF_HOME", tmp.toString())).offline())
          .as(off).isFalse();
    }
  }

  @Test
  void hubCacheWinsOverHome() {
    Path hubCache = tmp.resolve("elsewhere");

    HubSettings settings = HubSettings.fromEnvironment(Map.of("HF_HUB_CACHE", hubCache.toString(), "HF_HOME",
        tmp.toString()));

    assertThat(settings.cache()).isEqualTo(hubCache);
  }
}
