package dev.contrastive.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.testing.Fixtures;
import dev.contrastive.operator.testing.PodStates;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The run lifecycle as a user sees it, against each kind of API server by a subclass. Pod states
 * are set by the test as kubelet and scheduler would; every test has its own namespace and nodes.
 */
abstract class LifecycleBehaviour extends ClusterBehaviour {

  private static final Duration QUIET = Duration.ofSeconds(2);

  /** Stops the operator and starts a new process's worth of it: fresh caches, fresh reconciler. */
  protected abstract void restartOperator();

  @Test
  void aFailedRankRecreatesTheWholeGangWithNewPodsAndCountsARestart() {
    List<Pod> first = runningGang(run -> {}, "a", "b");

    List<Pod> second = newGangAfterRankOneFails(first);

    assertThat(second).allSatisfy(p -> assertThat(p.getMetadata().getLabels().get("contrastive.dev/gang")).startsWith("1-"));
    ContrastiveTrainingRun run = run("simclr");
    assertThat(run.getStatus().restarts).isEqualTo(1);
    Condition restarted = condition(run, "GangRestarted");
    assertThat(restarted.getReason()).isEqualTo("WorkerFailed");
    assertThat(restarted.getMessage()).contains("rank 1", "node " + tag + "-b", "exit code 1");
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("simclr")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo("WorkerFailed");
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getMessage()).contains("gang restart 1 of 3", "rank 1", "exit code 1");
    }));
  }

  @Test
  void aRepeatedReasonCountsOnItsOneEvent() {
    List<Pod> second = runningAgainAfterRankOneFails(runningGang(run -> {}, "a", "b"));

    setPodStatus(second.get(0), PodStates.failed(137, "Error"));

    await().atMost(WAIT).untilAsserted(() -> assertThat(events("simclr"))
        .filteredOn(e -> "WorkerFailed".equals(e.getReason())).singleElement().satisfies(e -> {
          assertThat(e.getCount()).isEqualTo(2);
          assertThat(e.getType()).isEqualTo("Warning");
          assertThat(e.getMessage()).contains("gang restart 2 of 3", "rank 0", "exit code 137");
          assertThat(Instant.parse(e.getLastTimestamp())).isAfterOrEqualTo(Instant.parse(e.getFirstTimestamp()));
          assertThat(e.getMetadata().getName()).startsWith("simclr.");
        }));
    assertThat(events("simclr")).filteredOn(e -> "WorkersRunning".equals(e.getReason())).singleElement()
        .satisfies(e -> assertThat(e.getCount()).isEqualTo(2));
  }

  @Test
  void theBackoffLimitEndsInFailedWithNoPodRunning() {
    List<Pod> second = runningAgainAfterRankOneFails(
        runningGang(run -> run.getSpec().runPolicy.backoffLimit = 1, "a", "b"));

    setPodStatus(second.get(0), PodStates.failed(137, "Error"));

    ContrastiveTrainingRun failed = awaitPhase("simclr", Phase.Failed);
    assertThat(condition(failed, "Failed").getReason()).isEqualTo("BackoffLimitExceeded");
    assertThat(failed.getStatus().message).contains("spec.runPolicy.backoffLimit 1", "rank 0", "exit code 137");
    assertThat(failed.getStatus().restarts).isEqualTo(1);
    await().atMost(WAIT).untilAsserted(() -> assertThat(pods("simclr")).noneMatch(this::isRunningOrPending));
    await().atMost(WAIT).untilAsserted(() -> assertThat(eventReasons("simclr")).contains("BackoffLimitExceeded"));
  }

  @Test
  void exitCodeTwoFailsAtOnceWithTheTrainersMessage() {
    List<Pod> pods = runningGang(run -> {}, "a", "b");

    setPodStatus(pods.get(1), invalidInput("spec.trainer.maxEpochs must be at least 1"));

    ContrastiveTrainingRun failed = awaitPhase("simclr", Phase.Failed);
    Condition condition = condition(failed, "Failed");
    assertThat(condition.getReason()).isEqualTo("InvalidConfig");
    assertThat(condition.getMessage()).contains("rank 1", "exit code 2", "spec.trainer.maxEpochs must be at least 1");
    assertThat(failed.getStatus().restarts).isNull();
    await().atMost(WAIT).untilAsserted(() -> assertThat(eventReasons("simclr")).contains("InvalidConfig"));
    await().during(QUIET).atMost(WAIT).untilAsserted(() -> assertThat(uids(pods("simclr"))).isSubsetOf(uids(pods)));
  }

  @Test
  void theActiveDeadlineFailsTheRunAndDeletesItsPods() {
    runningGang(run -> run.getSpec().runPolicy.activeDeadlineSeconds = 5L, "a"); // long enough to see Running first

    // No pod or node changes from here: only the operator's own requeue can notice the deadline.
    ContrastiveTrainingRun failed = awaitPhase("simclr", Phase.Failed);

    assertThat(condition(failed, "Failed").getReason()).isEqualTo("DeadlineExceeded");
    assertThat(failed.getStatus().message).contains("spec.runPolicy.activeDeadlineSeconds (5s)");
    await().atMost(WAIT).untilAsserted(() -> assertThat(pods("simclr")).isEmpty());
  }

  @Test
  void suspendDeletesTheWorkersAndResumeStartsANewGang() {
    List<Pod> first = runningGang(run -> {}, "a", "b");

    patchSpec("simclr", "{\"spec\":{\"runPolicy\":{\"suspend\":true}}}");
    ContrastiveTrainingRun suspended = awaitPhase("simclr", Phase.Suspended);
    assertThat(condition(suspended, "Suspended").getStatus()).isEqualTo("True");
    assertThat(condition(suspended, "Ready").getStatus()).isEqualTo("False");
    await().atMost(WAIT).untilAsserted(() -> assertThat(pods("simclr")).isEmpty());
    await().atMost(WAIT).untilAsserted(() -> assertThat(eventReasons("simclr")).contains("Suspended"));

    patchSpec("simclr", "{\"spec\":{\"runPolicy\":{\"suspend\":false}}}");
    List<Pod> resumed = awaitPods("simclr", 2);
    assertThat(uids(resumed)).doesNotContainAnyElementsOf(uids(first));
    ContrastiveTrainingRun pending = awaitPhase("simclr", Phase.Pending);
    assertThat(condition(pending, "Suspended").getStatus()).isEqualTo("False");
    assertThat(pending.getStatus().restarts).isNull();
  }

  @Test
  void aRunCreatedSuspendedStartsNothing() {
    gpuNode("a", 1);
    ContrastiveTrainingRun run = Fixtures.run("simclr", namespace);
    run.getSpec().runPolicy.suspend = true;
    create(run);

    ContrastiveTrainingRun suspended = awaitPhase("simclr", Phase.Suspended);

    assertThat(suspended.getStatus().message).contains("spec.runPolicy.suspend");
    await().during(QUIET).atMost(WAIT).untilAsserted(() -> assertThat(pods("simclr")).isEmpty());
  }

  @Test
  void aFinishedRunIsDeletedAfterItsTtl() {
    // A TTL long enough for the Succeeded phase to be seen before the deletion on a loaded machine.
    long ttl = 8;
    List<Pod> pods = runningGang(run -> run.getSpec().runPolicy.ttlSecondsAfterFinished = ttl, "a");

    setPodStatus(pods.get(0), PodStates.succeeded());

    Instant completed = Instant.parse(awaitPhase("simclr", Phase.Succeeded).getStatus().completionTime);
    await().atMost(WAIT.plusSeconds(ttl)).until(() -> run("simclr") == null);
    // kept until its TTL, counted from the completion time in its status (whole seconds there)
    assertThat(Instant.now()).as("deleted after completion + TTL")
        .isAfterOrEqualTo(completed.plusSeconds(ttl).minusSeconds(1));
  }

  @Test
  void cleanPodPolicyAllDeletesEveryPod() {
    assertThat(podsLeftAfterInvalidInput("All")).isEmpty();
  }

  @Test
  void cleanPodPolicyRunningKeepsOnlyEndedPods() {
    assertThat(podsLeftAfterInvalidInput("Running")).containsExactly("simclr-worker-1");
  }

  @Test
  void cleanPodPolicyNoneKeepsEveryPod() {
    assertThat(podsLeftAfterInvalidInput("None")).containsExactly("simclr-worker-0", "simclr-worker-1");
  }

  @Test
  void aNodeLostWhileRunningRestartsTheGangSmaller() {
    runningGang(run -> {}, "a", "b");

    client().nodes().withName(tag + "-b").delete();

    Pod only = await().atMost(WAIT).until(() -> pods("simclr"), pods -> pods.size() == 1
        && pods.get(0).getMetadata().getLabels().get("contrastive.dev/gang").startsWith("1-")).get(0);
    assertThat(env(only)).containsEntry("WORLD_SIZE", "1").containsEntry("RANK", "0");
    ContrastiveTrainingRun run = run("simclr");
    assertThat(run.getStatus().restarts).isEqualTo(1);
    assertThat(condition(run, "GangRestarted").getMessage()).contains("rank 1", "node " + tag + "-b", "node lost");
    await().atMost(WAIT).untilAsserted(() -> assertThat(run("simclr").getStatus().workers.nodes)
        .containsExactly(tag + "-a"));
  }

  @Test
  void aNodeLostBelowMinNodesLeavesTheRunPendingWithoutPods() {
    runningGang(run -> run.getSpec().minNodes = 2, "a", "b");

    client().nodes().withName(tag + "-b").delete();

    await().atMost(WAIT).untilAsserted(() -> {
      ContrastiveTrainingRun run = run("simclr");
      assertThat(run.getStatus().phase).isEqualTo(Phase.Pending);
      assertThat(condition(run, "Ready").getReason()).isEqualTo("NotEnoughNodes");
      assertThat(condition(run, "Ready").getMessage()).contains("spec.minNodes is 2");
      assertThat(pods("simclr")).isEmpty();
    });
    assertThat(run("simclr").getStatus().restarts).isEqualTo(1);
  }

  @Test
  void aNodeAddedWhilePendingJoinsTheGang() {
    gpuNode("a", 1);
    createRun("simclr", run -> {});
    awaitPods("simclr", 1);

    gpuNode("b", 1);

    List<Pod> pods = await().atMost(WAIT).until(() -> pods("simclr"),
        p -> p.size() == 2 && p.stream().allMatch(pod -> "2".equals(env(pod).get("WORLD_SIZE"))));
    assertThat(pods).extracting(p -> p.getMetadata().getName()).containsExactly("simclr-worker-0", "simclr-worker-1");
  }

  @Test
  void aNodeAddedWhileRunningWaitsForTheNextRestart() {
    List<Pod> pods = runningGang(run -> {}, "a");

    gpuNode("b", 1);

    await().during(QUIET).atMost(WAIT).untilAsserted(() -> assertThat(uids(pods("simclr"))).isEqualTo(uids(pods)));
    assertThat(run("simclr").getStatus().phase).isEqualTo(Phase.Running);
  }

  @Test
  void aWorkerUnschedulableBeyondTheTimeoutIsReported() {
    gpuNode("a", 1);
    createRun("simclr", run -> run.getSpec().runPolicy.schedulingTimeoutSeconds = 1);
    Pod pod = awaitPods("simclr", 1).get(0);

    PodStatus stuck = PodStates.unschedulable("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
    stuck.getConditions().get(0).setLastTransitionTime(Instant.now().minusSeconds(5).toString().replaceAll("\\.\\d+", ""));
    setPodStatus(pod, stuck);

    await().atMost(WAIT).untilAsserted(() -> {
      ContrastiveTrainingRun run = run("simclr");
      assertThat(run.getStatus().phase).isEqualTo(Phase.Pending);
      assertThat(condition(run, "Ready").getReason()).isEqualTo("Unschedulable");
      assertThat(condition(run, "Ready").getMessage())
          .contains("simclr-worker-0", "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(eventReasons("simclr")).contains("Unschedulable"));
  }

  @Test
  void aTrainingFieldEditedWhileRunningIsHeldBackNamingTheField() {
    runningGang(run -> {}, "a");
    String config = client().configMaps().inNamespace(namespace).withName("simclr-config").get().getData().get("run.yaml");

    patchSpec("simclr", "{\"spec\":{\"optimizer\":{\"lr\":0.5}}}");

    await().atMost(WAIT).untilAsserted(() -> {
      Condition applied = condition(run("simclr"), "SpecApplied");
      assertThat(applied.getStatus()).isEqualTo("False");
      assertThat(applied.getReason()).isEqualTo("SpecChangeIgnored");
      assertThat(applied.getMessage()).contains("spec.optimizer.lr");
    });
    assertThat(client().configMaps().inNamespace(namespace).withName("simclr-config").get().getData().get("run.yaml"))
        .isEqualTo(config);
    assertThat(run("simclr").getStatus().phase).isEqualTo(Phase.Running);
  }

  @Test
  void aGangStartedBeforeTheRecordKeptItsSpecKeepsTheSpecFromItsConfigAnnotation() throws Exception {
    List<Pod> gang = runningGang(run -> {}, "a");
    ConfigMap state = client().configMaps().inNamespace(namespace).withName("simclr-state").get();
    ObjectNode started = (ObjectNode) Serialization.jsonMapper().readTree(state.getData().get("gangSpec"));
    ((ObjectNode) started.get("optimizer")).put("lr", 0.5);
    // As an older operator left it: the gang's spec (here with another lr) on the config, none in the record.
    client().configMaps().inNamespace(namespace).withName("simclr-config").edit(c -> {
      c.getMetadata().getAnnotations().put("contrastive.dev/spec", started.toString());
      return c;
    });
    client().configMaps().inNamespace(namespace).withName("simclr-state")
        .edit(c -> { c.getData().remove("gangSpec"); return c; });
    client().pods().inNamespace(namespace).withName(gang.get(0).getMetadata().getName())
        .edit(p -> { p.getMetadata().getAnnotations().put("touched", "yes"); return p; });

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(condition(run("simclr"), "SpecApplied").getMessage()).contains("spec.optimizer.lr");
      assertThat(client().configMaps().inNamespace(namespace).withName("simclr-state").get().getData())
          .as("moved into the record").containsEntry("gangSpec", started.toString());
    });
    assertThat(uids(pods("simclr"))).isEqualTo(uids(gang));
  }

  @Test
  void aRestartedOperatorAdoptsTheRunningGang() {
    List<Pod> second = runningAgainAfterRankOneFails(runningGang(run -> {}, "a", "b"));

    restartOperator();
    // A pod event makes the new operator reconcile the run.
    client().pods().inNamespace(namespace).withName(second.get(0).getMetadata().getName())
        .edit(p -> { p.getMetadata().getAnnotations().put("touched", "yes"); return p; });

    await().during(QUIET).atMost(WAIT).untilAsserted(() -> {
      assertThat(uids(pods("simclr"))).isEqualTo(uids(second));
      assertThat(run("simclr").getStatus().restarts).isEqualTo(1);
      assertThat(run("simclr").getStatus().phase).isEqualTo(Phase.Running);
    });
  }

  // ---- helpers

  /** Creates GPU nodes and a run on them, and sets every worker Running. */
  private List<Pod> runningGang(Consumer<ContrastiveTrainingRun> edit, String... nodes) {
    for (String node : nodes) {
      gpuNode(node, 1);
    }
    createRun("simclr", edit);
    List<Pod> pods = awaitPods("simclr", nodes.length);
    pods.forEach(pod -> setPodStatus(pod, PodStates.running()));
    awaitPhase("simclr", Phase.Running);
    return pods;
  }

  /** Fails rank 1 of a running two-worker gang (exit code 1) and returns the restarted gang's two new pods. */
  private List<Pod> newGangAfterRankOneFails(List<Pod> gang) {
    setPodStatus(gang.get(1), PodStates.failed(1, "Error"));
    return await().atMost(WAIT).until(() -> pods("simclr"), pods -> pods.size() == 2
        && pods.stream().noneMatch(p -> uids(gang).contains(p.getMetadata().getUid())));
  }

  /** {@link #newGangAfterRankOneFails}, with the new gang's workers set Running and the run Running again. */
  private List<Pod> runningAgainAfterRankOneFails(List<Pod> gang) {
    List<Pod> second = newGangAfterRankOneFails(gang);
    second.forEach(pod -> setPodStatus(pod, PodStates.running()));
    awaitPhase("simclr", Phase.Running);
    return second;
  }

  private List<String> podsLeftAfterInvalidInput(String cleanPodPolicy) {
    List<Pod> pods = runningGang(run -> run.getSpec().runPolicy.cleanPodPolicy = cleanPodPolicy, "a", "b");
    setPodStatus(pods.get(1), invalidInput("bad input"));
    awaitPhase("simclr", Phase.Failed);
    return await().during(QUIET).atMost(WAIT).until(() -> names(pods("simclr")), names -> true);
  }

  private static PodStatus invalidInput(String message) {
    PodStatus status = PodStates.failed(2, "Error");
    status.getContainerStatuses().get(0).getState().getTerminated().setMessage(message);
    return status;
  }

  private boolean isRunningOrPending(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return phase == null || "Running".equals(phase) || "Pending".equals(phase);
  }

  private void createRun(String name, Consumer<ContrastiveTrainingRun> edit) {
    ContrastiveTrainingRun run = Fixtures.run(name, namespace);
    edit.accept(run);
    create(run);
  }

  private void patchSpec(String name, String mergePatch) {
    client().resources(ContrastiveTrainingRun.class).inNamespace(namespace).withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
  }

  private static List<String> uids(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getUid()).toList();
  }

  private static List<String> names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).toList();
  }

  private static Map<String, String> env(Pod pod) {
    return pod.getSpec().getContainers().get(0).getEnv().stream().filter(e -> e.getValue() != null)
        .collect(java.util.stream.Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  static {
    Awaitility.setDefaultPollInterval(100, TimeUnit.MILLISECONDS);
  }
}
