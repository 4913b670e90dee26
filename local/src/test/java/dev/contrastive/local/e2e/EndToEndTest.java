package dev.contrastive.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.api.status.ProgressStatus;
import dev.contrastive.local.LocalCluster;
import dev.contrastive.local.api.ApiServerChoice;
import dev.contrastive.local.pods.ContainerCommands;
import dev.contrastive.local.pods.TrainerCommand;
import dev.contrastive.local.run.RunFile;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The whole system on this machine, as {@code contrastive local} runs it: a real kube-apiserver,
 * two simulated GPU nodes, the operator in-process and the trainer pods as child JVMs. Each test
 * trains a tiny run in its own namespace.
 */
@Tag("slow")
class EndToEndTest {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);
  private static final String RUN = "tiny";

  private static LocalCluster cluster;
  private static KubernetesClient client;

  private String namespace;

  @BeforeAll
  static void startCluster() throws Exception {
    Path repoRoot = Path.of(System.getProperty("repo.root", ".."));
    Path work = Files.createTempDirectory("e2e-");
    ContrastiveTrainingRun template = RunFile.load(Path.of("src/test/resources/e2e/tiny.yaml"));
    ContainerCommands commands = new ContainerCommands().map(template.getSpec().image, TrainerCommand.fromBuild(repoRoot));
    cluster = LocalCluster.start(
        ApiServerChoice.start(ApiServerChoice.Mode.real, work.resolve("kubeconfig"), System.getenv(), System.out::println),
        2, 2, commands, work, work, System.out);
    client = cluster.client();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void namespace() {
    namespace = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
  }

  @Test
  void runSucceedsWithProgressConditionsAndEvents() throws Exception {
    create(run -> { });

    ContrastiveTrainingRunStatus status = awaitFinished();

    assertThat(status.phase).as(status.message).isEqualTo(Phase.Succeeded);
    ProgressStatus progress = status.progress;
    assertThat(progress.epoch).isEqualTo(progress.totalEpochs).isEqualTo(2);
    assertThat(progress.step).isEqualTo(progress.totalSteps).isEqualTo(4L);
    assertThat(progress.loss).isFinite();
    assertThat(progress.knnTop1).isBetween(0.0, 1.0);
    assertThat(progress.lastCheckpoint).isNotBlank();
    assertThat(status.workers.nodes).containsExactly("gpu-node-0", "gpu-node-1");
    assertThat(status.startTime).isNotNull();
    assertThat(status.completionTime).isNotNull();
    assertThat(status.conditions).extracting(Condition::getType, Condition::getStatus)
        .contains(tuple("Succeeded", "True"),
            tuple("Failed", "False"));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events())
        .extracting(Event::getReason)
        .contains("WorkersPending", "WorkersRunning", "AllWorkersSucceeded"));
    assertThat(events()).extracting(Event::getType).containsOnly("Normal");
  }

  /**
   * The local mode's API server holds the CRD with the preset enum (#18), so an unknown preset is
   * refused at apply, as kubectl shows it, naming the field and what is allowed; nothing starts.
   * (On a server with an older CRD the operator fails the run instead: MockServerReconcileTest.)
   */
  @Test
  void unknownPresetIsRefusedAtApplyNamingTheFieldAndTheAllowedPresets() {
    assertThatThrownBy(() -> create(run -> run.getSpec().architecture.preset = "resnet19"))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.architecture.preset")
        .hasMessageContaining("resnet19")
        .hasMessageContaining("resnet18");
    assertThat(client.pods().inNamespace(namespace).list().getItems()).isEmpty();
  }

  @Test
  void aRunWhoseDataFolderIsEmptyFailsAtOnceWithThePathInItsStatus() throws Exception {
    Path empty = Files.createTempDirectory("e2e-no-data-");
    create(run -> {
      run.getSpec().dataset.type = "imagefolder";
      run.getSpec().dataset.source = "/data/flowers";
      run.getSpec().template = new PodTemplateSpecBuilder().withNewSpec()
          .addNewVolume().withName("flowers").withNewHostPath().withPath(empty.toString()).withType("Directory")
            .endHostPath().endVolume()
          .addNewContainer().withName("trainer")
            .addNewVolumeMount().withName("flowers").withMountPath("/data/flowers").withReadOnly(true).endVolumeMount()
          .endContainer()
          .endSpec().build();
    });

    ContrastiveTrainingRunStatus status = await().atMost(RUN_TIMEOUT)
        .until(this::status, s -> s != null && s.phase == Phase.Failed);

    assertThat(status.conditions).filteredOn(c -> "Failed".equals(c.getType())).singleElement()
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("InvalidConfig"));
    // the worker saw the hostPath (this machine is every node) and said what is wrong with it
    assertThat(status.message).contains("exit code 2")
        .contains("dataset.source " + empty + ": the folder is empty");
    assertThat(status.restarts == null ? 0 : status.restarts).isZero();
  }

  @Test
  void operatorRestartMidRunCreatesNoDuplicatePodsAndTheRunSucceeds() throws Exception {
    Set<String> podUids = ConcurrentHashMap.newKeySet();
    try (Watch watch = watchPodUids(podUids)) {
      create(run -> run.getSpec().trainer.maxStepsPerEpoch = 4);
      await().atMost(RUN_TIMEOUT).until(this::status, s -> s != null && s.phase == Phase.Running);

      cluster.operator().restart();

      ContrastiveTrainingRunStatus status = awaitFinished();
      assertThat(status.phase).as(status.message).isEqualTo(Phase.Succeeded);
      assertThat(podUids).hasSize(2);
    }
  }

  @Test
  void killedWorkerRestartsTheGangWhichResumesFromTheCheckpoint() throws Exception {
    create(run -> {
      run.getSpec().trainer.maxEpochs = 3;
      run.getSpec().trainer.maxStepsPerEpoch = 4;
    });
    await().atMost(RUN_TIMEOUT).until(this::status,
        s -> s != null && s.phase == Phase.Running && s.progress != null && s.progress.lastCheckpoint != null);
    Pod rank1 = client.pods().inNamespace(namespace).withName(RUN + "-worker-1").get();

    ProcessHandle.of(cluster.pods().pid(rank1.getMetadata().getUid()).orElseThrow()).orElseThrow().destroyForcibly();

    ContrastiveTrainingRunStatus status = awaitFinished();
    assertThat(status.phase).as(status.message).isEqualTo(Phase.Succeeded);
    assertThat(status.restarts).isEqualTo(1);
    assertThat(status.progress.step).isEqualTo(status.progress.totalSteps);
    Pod newRank0 = client.pods().inNamespace(namespace).withName(RUN + "-worker-0").get();
    Matcher resumed = Pattern.compile("resuming from .* at epoch \\d+ step (\\d+)")
        .matcher(Files.readString(cluster.pods().logFile(newRank0)));
    assertThat(resumed.find()).as("rank 0 log says it resumed").isTrue();
    assertThat(Long.parseLong(resumed.group(1))).isPositive();
  }

  private void create(Consumer<ContrastiveTrainingRun> change) {
    try {
      ContrastiveTrainingRun run = RunFile.load(Path.of("src/test/resources/e2e/tiny.yaml"));
      run.getMetadata().setNamespace(namespace);
      change.accept(run);
      client.resource(run).create();
    } catch (RunFile.BadRunFileException e) {
      throw new IllegalStateException(e);
    }
  }

  private ContrastiveTrainingRunStatus status() {
    ContrastiveTrainingRun run = client.resources(ContrastiveTrainingRun.class).inNamespace(namespace).withName(RUN).get();
    return run == null || run.getStatus() == null || run.getStatus().phase == null ? null : run.getStatus();
  }

  private ContrastiveTrainingRunStatus awaitFinished() {
    return await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofSeconds(1))
        .until(this::status, s -> s != null && s.phase.isFinished());
  }

  private List<Event> events() {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> RUN.equals(e.getInvolvedObject().getName())).toList();
  }

  private Watch watchPodUids(Set<String> uids) {
    return client.pods().inNamespace(namespace).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, Pod pod) {
        uids.add(pod.getMetadata().getUid());
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
  }
}
