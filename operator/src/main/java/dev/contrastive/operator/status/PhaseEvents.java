package dev.contrastive.operator.status;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.Phase;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A Kubernetes Event on the run for each change of phase or reason, so {@code kubectl describe}
 * tells the story. As Flink's {@code EventUtils} and kubelet do, a repeat of a reason on the same
 * run is not a new Event: the one of that stable name gets its count raised and its lastTimestamp
 * and message updated, so a gang restarting all night leaves one Event with a count, not hundreds.
 */
public final class PhaseEvents {

  /** Reasons that need a person's attention although the run goes on. */
  private static final Set<String> WARNINGS = Set.of(Outcome.WORKER_FAILED, Outcome.UNSCHEDULABLE);
  private static final int NAME_MAX_LENGTH = 253;
  private static final int HASH_LENGTH = 16;

  private PhaseEvents() {}

  /**
   * {@code <run>.<hash>}: the same for every repeat of a reason on this run (its uid, so a new run of
   * the same name starts its own count), different for another reason.
   */
  public static String name(ContrastiveTrainingRun run, String reason) {
    String runName = run.getMetadata().getName();
    String prefix = runName.substring(0, Math.min(runName.length(), NAME_MAX_LENGTH - HASH_LENGTH - 1));
    return prefix + "." + hash(run.getMetadata().getUid() + "/" + reason);
  }

  /** The first occurrence: count 1, first and last timestamp now. */
  public static Event event(ContrastiveTrainingRun run, Outcome outcome, Instant now) {
    String time = timestamp(now);
    return new EventBuilder()
        .withNewMetadata()
            .withName(name(run, outcome.reason()))
            .withNamespace(run.getMetadata().getNamespace())
        .endMetadata()
        .withNewInvolvedObject()
            .withApiVersion(ContrastiveTrainingRun.API_VERSION)
            .withKind("ContrastiveTrainingRun")
            .withName(run.getMetadata().getName())
            .withNamespace(run.getMetadata().getNamespace())
            .withUid(run.getMetadata().getUid())
        .endInvolvedObject()
        .withType(type(outcome))
        .withReason(outcome.reason())
        .withMessage(message(outcome))
        .withFirstTimestamp(time)
        .withLastTimestamp(time)
        .withCount(1)
        .withNewSource().withComponent(StatusPatcher.FIELD_MANAGER).endSource()
        .build();
  }

  /** Creates the reason's Event, or counts one more repeat on the existing one. */
  public static void emit(KubernetesClient client, ContrastiveTrainingRun run, Outcome outcome, Instant now) {
    Event first = event(run, outcome, now);
    var events = client.v1().events().inNamespace(run.getMetadata().getNamespace());
    Event existing = events.withName(first.getMetadata().getName()).get();
    if (existing == null) {
      try {
        events.resource(first).create();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        existing = events.withName(first.getMetadata().getName()).get();
        if (existing == null) {
          return;
        }
      }
    }
    events.withName(existing.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(repeat(existing, outcome, now)));
  }

  /** The fields a repeat changes, as a merge patch of the existing Event. */
  static Map<String, Object> repeat(Event existing, Outcome outcome, Instant now) {
    Map<String, Object> patch = new LinkedHashMap<>();
    patch.put("count", (existing.getCount() == null ? 1 : existing.getCount()) + 1);
    patch.put("lastTimestamp", timestamp(now));
    patch.put("message", message(outcome));
    patch.put("type", type(outcome));
    return patch;
  }

  private static String type(Outcome outcome) {
    return outcome.phase() == Phase.Failed || WARNINGS.contains(outcome.reason()) ? "Warning" : "Normal";
  }

  private static String message(Outcome outcome) {
    return "phase " + outcome.phase() + ": " + outcome.message();
  }

  private static String timestamp(Instant now) {
    return now.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
