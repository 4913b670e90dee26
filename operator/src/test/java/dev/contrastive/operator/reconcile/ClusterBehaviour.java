package dev.contrastive.operator.reconcile;

import static org.awaitility.Awaitility.await;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the behaviour suites (reconcile, lifecycle) read and set in the cluster they run against,
 * mock or real: the run, its pods, pod states as a kubelet would write them, Events, conditions.
 */
abstract class ClusterBehaviour {

  protected static final Duration WAIT = Duration.ofSeconds(30);

  /** The namespace of the current test; each test gets its own. */
  protected String namespace;
  /** Unique to the current test: its namespace, and a prefix for the (cluster-wide) nodes it makes. */
  protected String tag;

  @BeforeEach
  void isolate() {
    tag = "t" + UUID.randomUUID().toString().substring(0, 8);
    namespace = tag;
    client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
        .build()).create();
  }

  protected abstract KubernetesClient client();

  protected ContrastiveTrainingRun run(String name) {
    return client().resources(ContrastiveTrainingRun.class).inNamespace(namespace).withName(name).get();
  }

  protected List<Pod> pods(String run) {
    return client().pods().inNamespace(namespace).withLabel("contrastive.dev/run", run).list().getItems().stream()
        .sorted((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName())).toList();
  }

  protected List<Pod> awaitPods(String run, int count) {
    return await().atMost(WAIT).until(() -> pods(run), pods -> pods.size() == count);
  }

  protected ContrastiveTrainingRun awaitPhase(String name, Phase phase) {
    return await().atMost(WAIT).until(() -> run(name),
        run -> run != null && run.getStatus() != null && run.getStatus().phase == phase);
  }

  protected void setPodStatus(Pod pod, PodStatus status) {
    client().pods().inNamespace(namespace).withName(pod.getMetadata().getName()).subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
  }

  protected List<Event> events(String run) {
    return client().v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> run.equals(e.getInvolvedObject().getName())).toList();
  }

  /** Each reason as often as it was emitted: a repeat raises its Event's count instead of making another Event. */
  protected List<String> eventReasons(String run) {
    return events(run).stream()
        .flatMap(e -> java.util.stream.Stream.generate(e::getReason).limit(e.getCount() == null ? 1 : e.getCount()))
        .toList();
  }

  protected static Condition condition(ContrastiveTrainingRun run, String type) {
    // An AssertionError, so that an await retries until the condition appears.
    return run.getStatus().conditions.stream().filter(c -> c.getType().equals(type)).findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type + " yet"));
  }

  protected void gpuNode(String name, int gpus) {
    gpuNode(name, gpus, Map.of());
  }

  /**
   * Creates a node only this test's runs select, then does what kubelet and node controller
   * would: sets its status (a subresource) and lifts the not-ready taint a real API server puts
   * on new nodes.
   */
  protected void gpuNode(String name, int gpus, Map<String, String> labels) {
    Node node = Fixtures.gpuNode(tag + "-" + name, gpus)
        .editMetadata().addToLabels("test", tag).addToLabels(labels).endMetadata().build();
    var status = node.getStatus();
    node.setStatus(null);
    client().nodes().resource(node).create();
    client().nodes().withName(node.getMetadata().getName()).subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
    client().nodes().withName(node.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"taints\":null}}");
  }

  /**
   * A pod of someone else, in namespace {@code default}, already bound to this test's node
   * {@code node} and holding {@code gpus} of its GPUs (no kubelet runs it).
   */
  protected Pod busyPod(String name, String node, int gpus) {
    Quantity amount = new Quantity(Integer.toString(gpus));
    return client().pods().resource(new PodBuilder()
        .withNewMetadata().withName(tag + "-" + name).withNamespace("default").endMetadata()
        .withNewSpec().withNodeName(tag + "-" + node)
            .addNewContainer().withName("main").withImage("busy")
                .withNewResources().addToRequests("nvidia.com/gpu", amount).addToLimits("nvidia.com/gpu", amount)
                .endResources()
            .endContainer()
        .endSpec().build()).create();
  }

  /** Creates the run in this test's namespace, on this test's nodes only. */
  protected ContrastiveTrainingRun create(ContrastiveTrainingRun run) {
    run.getSpec().nodeSelector.put("test", tag);
    run.getMetadata().setUid(null);
    run.getMetadata().setGeneration(null);
    return client().resource(run).create();
  }
}
