package dev.contrastive.operator.reconcile;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.Phase;
import dev.contrastive.api.status.ProgressStatus;
import dev.contrastive.operator.testing.Fixtures;
import dev.contrastive.operator.testing.PodStates;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What a user sees the operator do, run against each kind of API server by a subclass. Every test
 * has its own namespace, and labels its (cluster-wide) nodes so that only its runs select them.
 */
abstract class ReconcileBehaviour extends ClusterBehaviour {

  /** How long a settled run must stay unchanged. */
  private static final Duration QUIET = Duration.ofSeconds(3);

  @Test
  void onePodPerMatchingGpuNode() {
    gpuNode("a", 1);
    gpuNode("b", 2);
    gpuNode("cpu-only", 0);
    createRun("simclr");

    List<Pod> pods = awaitPods("simclr", 2);

    assertThat(pods).extracting(this::pinnedNode).containsExactly(tag + "-a", tag + "-b");
    await().atMost(WAIT).untilAsserted(() -> assertThat(run("simclr").getStatus().workers)
        .isNotNull().satisfies(workers -> assertThat(workers.nodes).containsExactly(tag + "-a", tag + "-b")));
  }

  @Test
  void podsCarryRankWorldAndRendezvousEnvAndAreRequiredOnTheirNode() {
    gpuNode("a", 1);
    gpuNode("b", 1);
    createRun("simclr");

    Pod rank1 = awaitPods("simclr", 2).get(1);

    Map<String, String> env = rank1.getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getValue() != null).collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertThat(env).containsEntry("RANK", "1").containsEntry("WORLD_SIZE", "2")
        .containsEntry("MASTER_ADDR", "simclr-worker-0.simclr-workers." + namespace + ".svc")
        .containsEntry("MASTER_PORT", "29500").containsEntry("OPT_OUT_TRACKING", "true");
    assertThat(pinnedNode(rank1)).isEqualTo(tag + "-b");
    assertThat(rank1.getSpec().getContainers().get(0).getResources().getLimits()).containsKey("nvidia.com/gpu");
  }

  @Test
  void everythingCreatedIsOwnedByTheRun() {
    gpuNode("a", 1);
    ContrastiveTrainingRun run = createRun("simclr");
    awaitPods("simclr", 1);

    await().atMost(WAIT).untilAsserted(() -> {
      List<HasMetadata> owned = new ArrayList<>();
      owned.add(client().configMaps().inNamespace(namespace).withName("simclr-config").get());
      owned.add(client().configMaps().inNamespace(namespace).withName("simclr-state").get());
      owned.add(client().services().inNamespace(namespace).withName("simclr-workers").get());
      owned.add(client().secrets().inNamespace(namespace).withName("simclr-rendezvous").get());
      owned.add(client().serviceAccounts().inNamespace(namespace).withName("simclr-trainer").get());
      owned.add(client().rbac().roles().inNamespace(namespace).withName("simclr-trainer").get());
      owned.add(client().rbac().roleBindings().inNamespace(namespace).withName("simclr-trainer").get());
      owned.add(client().network().v1().networkPolicies().inNamespace(namespace).withName("simclr-workers").get());
      owned.addAll(pods("simclr"));
      assertThat(owned).hasSize(9).allSatisfy(object -> {
        assertThat(object).isNotNull();
        assertThat(object.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
          assertThat(ref.getUid()).isEqualTo(run.getMetadata().getUid());
          assertThat(ref.getController()).isTrue();
        });
      });
    });
  }

  @Test
  void onlyTheRunsOwnPodsAreAdmittedToItsWorkersBeyondTheMetricsPort() {
    gpuNode("a", 1);
    createRun("simclr");
    awaitPods("simclr", 1);

    NetworkPolicy policy = await().atMost(WAIT).until(
        () -> client().network().v1().networkPolicies().inNamespace(namespace).withName("simclr-workers").get(),
        p -> p != null);

    assertThat(policy.getSpec().getPodSelector().getMatchLabels()).isEqualTo(Map.of("contrastive.dev/run", "simclr"));
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
    assertThat(policy.getSpec().getIngress()).hasSize(2);
    assertThat(policy.getSpec().getIngress().get(0).getFrom()).singleElement()
        .satisfies(peer -> assertThat(peer.getPodSelector().getMatchLabels())
            .isEqualTo(Map.of("contrastive.dev/run", "simclr")));
    assertThat(policy.getSpec().getIngress().get(1).getPorts()).singleElement()
        .satisfies(port -> assertThat(port.getPort().getIntVal()).isEqualTo(9400));
  }

  @Test
  void aNetworkPolicyOfTheWorkersNameThatTheRunDoesNotOwnFailsTheRunAndIsNeverChanged() {
    gpuNode("a", 1);
    client().network().v1().networkPolicies().inNamespace(namespace).resource(new NetworkPolicyBuilder()
        .withNewMetadata().withName("simclr-workers").endMetadata()
        .withNewSpec().withNewPodSelector().endPodSelector().withPolicyTypes("Ingress").endSpec().build()).create();

    createRun("simclr");

    ContrastiveTrainingRun failed = awaitPhase("simclr", Phase.Failed);
    assertThat(condition(failed, "Failed").getReason()).isEqualTo("InvalidSpec");
    assertThat(failed.getStatus().message).contains("NetworkPolicy simclr-workers");
    assertThat(pods("simclr")).isEmpty();
    assertThat(client().network().v1().networkPolicies().inNamespace(namespace).withName("simclr-workers").get()
        .getSpec().getIngress()).isNullOrEmpty();
  }

  @Test
  void trainerMayOnlyReadThisRunPatchItsStatusAndCreateEvents() {
    gpuNode("a", 1);
    createRun("simclr");
    awaitPods("simclr", 1);

    List<PolicyRule> rules = await().atMost(WAIT).until(
        () -> client().rbac().roles().inNamespace(namespace).withName("simclr-trainer").get(), r -> r != null)
        .getRules();

    // Besides its own run, the trainer may only create Events (rank 0's CheckpointSkipped warning).
    List<PolicyRule> runRules = rules.stream().filter(r -> !r.getResources().equals(List.of("events"))).toList();
    assertThat(rules).filteredOn(r -> r.getResources().equals(List.of("events"))).singleElement()
        .satisfies(rule -> {
          assertThat(rule.getApiGroups()).containsExactly("");
          assertThat(rule.getVerbs()).containsExactly("create");
        });
    assertThat(runRules).isNotEmpty().allSatisfy(rule -> {
      assertThat(rule.getApiGroups()).containsExactly("contrastive.dev");
      assertThat(rule.getResourceNames()).containsExactly("simclr");
      assertThat(rule.getVerbs()).isSubsetOf("get", "patch");
    });
    assertThat(runRules).filteredOn(r -> r.getVerbs().contains("patch"))
        .allSatisfy(r -> assertThat(r.getResources()).containsExactly("contrastivetrainingruns/status"));
  }

  @Test
  void phaseGoesPendingRunningSucceeded() {
    gpuNode("a", 1);
    gpuNode("b", 1);
    createRun("simclr");
    List<Pod> pods = awaitPods("simclr", 2);
    awaitPhase("simclr", Phase.Pending);

    setPodStatus(pods.get(0), PodStates.running());
    setPodStatus(pods.get(1), PodStates.running());
    awaitPhase("simclr", Phase.Running);
    assertThat(run("simclr").getStatus().startTime).isNotNull();
    await().atMost(WAIT).untilAsserted(() -> assertThat(run("simclr").getStatus().workers.summary).isEqualTo("2/2"));

    setPodStatus(pods.get(0), PodStates.succeeded());
    setPodStatus(pods.get(1), PodStates.succeeded());
    ContrastiveTrainingRun done = awaitPhase("simclr", Phase.Succeeded);
    assertThat(done.getStatus().completionTime).isNotNull();
    assertThat(condition(done, "Succeeded").getStatus()).isEqualTo("True");
    await().atMost(WAIT).untilAsserted(() -> assertThat(eventReasons("simclr"))
        .contains("WorkersPending", "WorkersRunning", "AllWorkersSucceeded"));
  }

  @Test
  void aFailedWorkerWithoutRestartsLeftFailsTheRunWithRankAndExitCode() {
    gpuNode("a", 1);
    gpuNode("b", 1);
    ContrastiveTrainingRun run = Fixtures.run("simclr", namespace);
    run.getSpec().runPolicy.backoffLimit = 0;
    create(run);
    List<Pod> pods = awaitPods("simclr", 2);
    setPodStatus(pods.get(0), PodStates.running());

    setPodStatus(pods.get(1), PodStates.failed(3, "Error"));

    ContrastiveTrainingRun failed = awaitPhase("simclr", Phase.Failed);
    assertThat(failed.getStatus().message).contains("rank 1", "exit code 3");
    assertThat(condition(failed, "Failed").getReason()).isEqualTo("BackoffLimitExceeded");
  }

  @Test
  void unschedulableWorkerShowsTheSchedulersMessage() {
    gpuNode("a", 1);
    createRun("simclr");
    Pod pod = awaitPods("simclr", 1).get(0);

    setPodStatus(pod, PodStates.unschedulable("0/1 nodes are available: 1 Insufficient nvidia.com/gpu."));

    await().atMost(WAIT).untilAsserted(() -> assertThat(run("simclr").getStatus().message)
        .contains("rank 0", "Unschedulable", "0/1 nodes are available: 1 Insufficient nvidia.com/gpu."));
    assertThat(run("simclr").getStatus().phase).isEqualTo(Phase.Pending);
  }

  @Test
  void nodeSelectorLimitsTheWorld() {
    gpuNode("train", 1, Map.of("pool", "train"));
    gpuNode("serve", 1, Map.of("pool", "serve"));
    ContrastiveTrainingRun run = Fixtures.run("simclr", namespace);
    run.getSpec().nodeSelector.put("pool", "train");

    create(run);

    assertThat(awaitPods("simclr", 1)).extracting(this::pinnedNode).containsExactly(tag + "-train");
  }

  @Test
  void withoutGpuNodesTheRunWaitsAndStartsWhenOneJoins() {
    gpuNode("cpu-only", 0);
    createRun("simclr");

    ContrastiveTrainingRun waiting = awaitPhase("simclr", Phase.Pending);
    await().atMost(WAIT).untilAsserted(() -> {
      Condition ready = condition(run("simclr"), "Ready");
      assertThat(ready.getReason()).isEqualTo("NoMatchingNodes");
      assertThat(ready.getMessage()).contains("spec.nodeSelector", "spec.tolerations", "spec.resources.gpuResourceName");
    });
    assertThat(pods("simclr")).isEmpty();
    assertThat(waiting.getStatus().phase).isEqualTo(Phase.Pending);

    gpuNode("late", 1);
    assertThat(awaitPods("simclr", 1)).extracting(this::pinnedNode).containsExactly(tag + "-late");
  }

  @Test
  void busyGpusAreLeftOutAndTheRunWaitsSayingWhereGpusAreFree() {
    gpuNode("a", 1);
    gpuNode("b", 2);
    Pod onA = busyPod("on-a", "a", 1);
    Pod onB = busyPod("on-b", "b", 2);
    ContrastiveTrainingRun run = Fixtures.run("simclr", namespace);
    run.getSpec().minNodes = 2;
    create(run);

    await().atMost(WAIT).untilAsserted(() -> {
      Condition ready = condition(run("simclr"), "Ready");
      assertThat(ready.getReason()).isEqualTo("NotEnoughFreeGpus");
      assertThat(ready.getMessage()).contains("needs 2 nodes with 1 free nvidia.com/gpu", "0 found",
          tag + "-a 0/1", tag + "-b 0/2");
    });
    assertThat(pods("simclr")).isEmpty();

    client().resource(onB).withGracePeriod(0).delete();
    await().atMost(WAIT).untilAsserted(() -> assertThat(condition(run("simclr"), "Ready").getMessage())
        .contains("1 found", tag + "-b 2/2", tag + "-a 0/1"));
    assertThat(pods("simclr")).isEmpty();

    client().resource(onA).withGracePeriod(0).delete();
    assertThat(awaitPods("simclr", 2)).extracting(this::pinnedNode).containsExactly(tag + "-a", tag + "-b");
  }

  @Test
  void operatorNeverTouchesTheTrainersProgress() {
    gpuNode("a", 1);
    createRun("simclr");
    Pod pod = awaitPods("simclr", 1).get(0);
    awaitPhase("simclr", Phase.Pending);
    ProgressStatus progress = new ProgressStatus();
    progress.epoch = 2;
    progress.loss = 4.5;
    patchStatus(run("simclr"), Map.of("progress", progress));

    setPodStatus(pod, PodStates.running());

    ContrastiveTrainingRun running = awaitPhase("simclr", Phase.Running);
    assertThat(running.getStatus().progress.epoch).isEqualTo(2);
    assertThat(running.getStatus().progress.loss).isEqualTo(4.5);
  }

  @Test
  void aSecondReconcileChangesNothing() {
    gpuNode("a", 1);
    createRun("simclr");
    Pod pod = awaitPods("simclr", 1).get(0);
    setPodStatus(pod, PodStates.running());
    awaitPhase("simclr", Phase.Running);
    await().atMost(WAIT).untilAsserted(() -> assertThat(eventReasons("simclr")).contains("WorkersRunning"));
    Map<String, String> before = resourceVersions("simclr");

    // A pod event makes the operator reconcile the run again.
    client().pods().inNamespace(namespace).withName(pod.getMetadata().getName())
        .edit(p -> { p.getMetadata().getAnnotations().put("touched", "yes"); return p; });

    await().during(Duration.ofSeconds(3)).atMost(WAIT)
        .untilAsserted(() -> assertThat(resourceVersions("simclr")).isEqualTo(before));
  }

  @Test
  void aServiceAccountOfTheTrainersNameThatTheRunDoesNotOwnFailsTheRunAndIsNeverUsed() {
    gpuNode("a", 1);
    client().serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
        .withNewMetadata().withName("build-trainer").addToLabels("team", "ci").endMetadata().build()).create();

    createRun("build");

    ContrastiveTrainingRun failed = awaitPhase("build", Phase.Failed);
    assertThat(condition(failed, "Failed").getReason()).isEqualTo("InvalidSpec");
    assertThat(failed.getStatus().message).contains("ServiceAccount build-trainer", "not owned by this run");
    assertThat(pods("build")).isEmpty();
    assertThat(client().serviceAccounts().inNamespace(namespace).withName("build-trainer").get().getMetadata())
        .satisfies(meta -> {
          assertThat(meta.getOwnerReferences()).isEmpty();
          assertThat(meta.getLabels()).containsOnly(Map.entry("team", "ci"));
        });
  }

  @Test
  void aRoleOfTheTrainersNameThatTheRunDoesNotOwnIsNeverBoundToTheTrainer() {
    gpuNode("a", 1);
    // Bound as it is, this Role would let the user's image read every Secret of the namespace.
    client().rbac().roles().inNamespace(namespace).resource(new RoleBuilder()
        .withNewMetadata().withName("simclr-trainer").endMetadata()
        .addNewRule().withApiGroups("").withResources("secrets").withVerbs("get", "list").endRule().build()).create();

    createRun("simclr");

    ContrastiveTrainingRun failed = awaitPhase("simclr", Phase.Failed);
    assertThat(condition(failed, "Failed").getReason()).isEqualTo("InvalidSpec");
    assertThat(failed.getStatus().message).contains("Role simclr-trainer", "not owned by this run");
    assertThat(client().rbac().roleBindings().inNamespace(namespace).withName("simclr-trainer").get()).isNull();
    assertThat(pods("simclr")).isEmpty();
    assertThat(client().rbac().roles().inNamespace(namespace).withName("simclr-trainer").get())
        .satisfies(role -> {
          assertThat(role.getMetadata().getOwnerReferences()).isEmpty();
          assertThat(role.getRules()).singleElement().satisfies(rule -> assertThat(rule.getResources())
              .containsExactly("secrets"));
        });
  }

  @Test
  void aRoleBindingOfTheTrainersNameThatTheRunDoesNotOwnFailsTheRun() {
    gpuNode("a", 1);
    // Someone's binding of the trainer's future ServiceAccount to a Role of their choosing.
    client().rbac().roleBindings().inNamespace(namespace).resource(new RoleBindingBuilder()
        .withNewMetadata().withName("simclr-trainer").endMetadata()
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName("secret-reader")
        .endRoleRef()
        .addNewSubject().withKind("ServiceAccount").withName("simclr-trainer").withNamespace(namespace).endSubject()
        .build()).create();

    createRun("simclr");

    ContrastiveTrainingRun failed = awaitPhase("simclr", Phase.Failed);
    assertThat(condition(failed, "Failed").getReason()).isEqualTo("InvalidSpec");
    assertThat(failed.getStatus().message).contains("RoleBinding simclr-trainer", "not owned by this run");
    assertThat(pods("simclr")).isEmpty();
    assertThat(client().rbac().roleBindings().inNamespace(namespace).withName("simclr-trainer").get()
        .getRoleRef().getName()).isEqualTo("secret-reader");
  }

  @Test
  void aConfigMapOfTheRunsConfigNameIsNeverOverwritten() {
    gpuNode("a", 1);
    client().configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
        .withNewMetadata().withName("simclr-config").endMetadata().addToData("app.properties", "mine=1").build())
        .create();

    createRun("simclr");

    ContrastiveTrainingRun failed = awaitPhase("simclr", Phase.Failed);
    assertThat(condition(failed, "Failed").getReason()).isEqualTo("InvalidSpec");
    assertThat(failed.getStatus().message).contains("ConfigMap simclr-config");
    assertThat(client().configMaps().inNamespace(namespace).withName("simclr-config").get().getData())
        .containsOnly(Map.entry("app.properties", "mine=1"));
    assertThat(pods("simclr")).isEmpty();
  }

  @Test
  void aSecretOwnedByAnotherObjectIsNotTakenAsTheRendezvousToken() {
    gpuNode("a", 1);
    client().secrets().inNamespace(namespace).resource(new SecretBuilder()
        .withNewMetadata().withName("simclr-rendezvous")
            .addNewOwnerReference().withApiVersion("v1").withKind("ConfigMap").withName("other")
                .withUid("3f0e5c8e-0000-4000-8000-000000000001").withController(true).endOwnerReference()
        .endMetadata().addToStringData("token", "known-to-someone-else").build()).create();

    createRun("simclr");

    ContrastiveTrainingRun failed = awaitPhase("simclr", Phase.Failed);
    assertThat(failed.getStatus().message).contains("Secret simclr-rendezvous", "controlled by ConfigMap other");
    assertThat(pods("simclr")).isEmpty();
  }

  @Test
  void aPodOfAWorkersNameThatIsNotTheRunsFailsTheRunAndIsLeftAlone() {
    gpuNode("a", 1);
    gpuNode("b", 1);
    client().pods().inNamespace(namespace).resource(new PodBuilder()
        .withNewMetadata().withName("simclr-worker-1").addToLabels("contrastive.dev/run", "simclr").endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage("someone-elses").endContainer().endSpec()
        .build()).create();

    createRun("simclr");

    ContrastiveTrainingRun failed = awaitPhase("simclr", Phase.Failed);
    assertThat(condition(failed, "Failed").getReason()).isEqualTo("InvalidSpec");
    assertThat(failed.getStatus().message).contains("Pod simclr-worker-1");
    await().atMost(WAIT).untilAsserted(() -> assertThat(eventReasons("simclr")).containsOnlyOnce("InvalidSpec"));

    // Failed once and left alone: no pod of its own comes and goes (the gang was never started, as
    // it could not be whole), the run is written no more and no further Event comes.
    String settled = run("simclr").getMetadata().getResourceVersion();
    await().during(QUIET).atMost(WAIT).untilAsserted(() -> {
      assertThat(pods("simclr")).extracting(p -> p.getMetadata().getName()).containsExactly("simclr-worker-1");
      assertThat(run("simclr").getMetadata().getResourceVersion()).isEqualTo(settled);
      assertThat(eventReasons("simclr")).containsOnlyOnce("InvalidSpec");
    });
    assertThat(pods("simclr").get(0).getSpec().getContainers().get(0).getImage()).isEqualTo("someone-elses");
  }

  @Test
  void objectsOfADeletedRunOfTheSameNameAreWaitedForNotAdopted() {
    gpuNode("a", 1);
    // What the garbage collector has not removed yet of an earlier run "simclr" (another uid).
    client().serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
        .withNewMetadata().withName("simclr-trainer")
            .addNewOwnerReference().withApiVersion("contrastive.dev/v1alpha1").withKind("ContrastiveTrainingRun")
                .withName("simclr").withUid("3f0e5c8e-0000-4000-8000-000000000002").withController(true)
            .endOwnerReference()
        .endMetadata().build()).create();

    createRun("simclr");

    await().atMost(WAIT).untilAsserted(() -> {
      Condition ready = condition(run("simclr"), "Ready");
      assertThat(ready.getReason()).isEqualTo("PreviousRunObjectsTerminating");
      assertThat(ready.getMessage()).contains("ServiceAccount simclr-trainer");
    });
    assertThat(run("simclr").getStatus().phase).isEqualTo(Phase.Pending);
    assertThat(pods("simclr")).isEmpty();

    client().serviceAccounts().inNamespace(namespace).withName("simclr-trainer").delete();
    awaitPods("simclr", 1);
    await().atMost(WAIT).untilAsserted(() -> assertThat(client().serviceAccounts().inNamespace(namespace)
        .withName("simclr-trainer").get().getMetadata().getOwnerReferences()).singleElement()
        .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(run("simclr").getMetadata().getUid())));
  }

  // ---- helpers

  private Map<String, String> resourceVersions(String run) {
    List<HasMetadata> objects = new ArrayList<>();
    objects.add(run(run));
    objects.add(client().configMaps().inNamespace(namespace).withName(run + "-config").get());
    objects.add(client().configMaps().inNamespace(namespace).withName(run + "-state").get());
    objects.add(client().services().inNamespace(namespace).withName(run + "-workers").get());
    objects.add(client().secrets().inNamespace(namespace).withName(run + "-rendezvous").get());
    objects.add(client().serviceAccounts().inNamespace(namespace).withName(run + "-trainer").get());
    objects.add(client().rbac().roles().inNamespace(namespace).withName(run + "-trainer").get());
    objects.add(client().rbac().roleBindings().inNamespace(namespace).withName(run + "-trainer").get());
    objects.add(client().network().v1().networkPolicies().inNamespace(namespace).withName(run + "-workers").get());
    Map<String, String> versions = objects.stream().collect(Collectors.toMap(
        o -> o.getKind() + "/" + o.getMetadata().getName(), o -> o.getMetadata().getResourceVersion()));
    versions.put("events", Integer.toString(eventReasons(run).size()));
    versions.put("pods", Integer.toString(pods(run).size()));
    return versions;
  }

  protected ContrastiveTrainingRun createRun(String name) {
    return create(Fixtures.run(name, namespace));
  }

  private void patchStatus(ContrastiveTrainingRun run, Map<String, Object> fields) {
    client().resources(ContrastiveTrainingRun.class).inNamespace(namespace).withName(run.getMetadata().getName())
        .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", fields)));
  }

  private String pinnedNode(Pod pod) {
    return pod.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
        .getNodeSelectorTerms().get(0).getMatchFields().get(0).getValues().get(0);
  }

  static {
    // Awaitility polls often so that the suite stays fast.
    org.awaitility.Awaitility.setDefaultPollInterval(100, java.util.concurrent.TimeUnit.MILLISECONDS);
    org.awaitility.Awaitility.setDefaultTimeout(30, SECONDS);
  }
}
