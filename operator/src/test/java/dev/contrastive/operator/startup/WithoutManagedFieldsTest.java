package dev.contrastive.operator.startup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

class WithoutManagedFieldsTest {

  private static final String POD = """
      {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "r-worker-0", "namespace": "team-a", "resourceVersion": "42",
         "labels": {"contrastive.dev/run": "r"},
         "ownerReferences": [{"apiVersion": "contrastive.dev/v1alpha1", "kind": "ContrastiveTrainingRun",
           "name": "r", "uid": "u1", "controller": true}],
         "managedFields": [{"manager": "contrastive-operator", "operation": "Update",
           "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": {"f:contrastive.dev/run": {}}}}}]},
       "spec": {"nodeName": "gpu-1"}, "status": {"phase": "Running"}}
      """;

  @Test
  void objectsAreReadWithoutManagedFieldsAndKeepEverythingElse() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    new WithoutManagedFields().customize(mapper);

    Pod pod = mapper.readValue(POD, Pod.class);

    assertThat(pod.getMetadata().getManagedFields()).isEmpty();
    assertThat(pod.getMetadata().getAdditionalProperties()).doesNotContainKey("managedFields");
    assertThat(pod.getMetadata().getLabels()).containsEntry("contrastive.dev/run", "r");
    assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(ref -> assertThat(ref.getUid()).isEqualTo("u1"));
    assertThat(pod.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(pod.getSpec().getNodeName()).isEqualTo("gpu-1");
    assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
    assertThat(new ObjectMapper().readValue(POD, Pod.class).getMetadata().getManagedFields())
        .as("without the customizer they are read").hasSize(1);
  }
}
