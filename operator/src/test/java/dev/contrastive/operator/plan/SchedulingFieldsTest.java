package dev.contrastive.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * spec.priorityClassName and spec.schedulerName reach every worker pod; spec.template may repeat
 * them but not contradict them (the spec wins by refusing the template, never silently).
 */
class SchedulingFieldsTest {

  private final ContrastiveTrainingRun run = Fixtures.run("simclr", "team-a");
  private final World world = World.pinned(List.of("gpu-a", "gpu-b"));

  @Test
  void everyWorkerPodGetsThePriorityClassAndScheduler() {
    run.getSpec().priorityClassName = "research-high";
    run.getSpec().schedulerName = "gpu-scheduler";

    assertThat(WorkerPods.pods(run, world)).allSatisfy(pod -> {
      assertThat(pod.getSpec().getPriorityClassName()).isEqualTo("research-high");
      assertThat(pod.getSpec().getSchedulerName()).isEqualTo("gpu-scheduler");
    });
  }

  @Test
  void withoutThemThePodsLeaveThemToTheClusterOrTheTemplate() throws Exception {
    assertThat(WorkerPods.pod(run, world, 0).getSpec().getPriorityClassName()).isNull();
    assertThat(WorkerPods.pod(run, world, 0).getSpec().getSchedulerName()).isNull();

    run.getSpec().template = WorkerPodTemplateTest.template("spec: {priorityClassName: batch-low, schedulerName: gpu-scheduler}");
    Pod pod = WorkerPods.pod(run, world, 0);

    assertThat(pod.getSpec().getPriorityClassName()).isEqualTo("batch-low");
    assertThat(pod.getSpec().getSchedulerName()).isEqualTo("gpu-scheduler");
  }

  @Test
  void aTemplateMayRepeatTheSpecsValueButNotContradictIt() throws Exception {
    run.getSpec().priorityClassName = "research-high";
    run.getSpec().template = WorkerPodTemplateTest.template("spec: {priorityClassName: research-high}");
    assertThat(WorkerPods.pod(run, world, 0).getSpec().getPriorityClassName()).isEqualTo("research-high");

    run.getSpec().template = WorkerPodTemplateTest.template("spec: {priorityClassName: batch-low}");
    assertThatThrownBy(() -> WorkerPods.checkTemplate(run))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
          assertThat(e.field()).isEqualTo("spec.template.spec.priorityClassName");
          assertThat(e.getMessage()).contains("research-high");
        });

    run.getSpec().schedulerName = "volcano";
    run.getSpec().template = WorkerPodTemplateTest.template("spec: {schedulerName: default-scheduler}");
    assertThatThrownBy(() -> WorkerPods.checkTemplate(run))
        .isInstanceOfSatisfying(InvalidConfigException.class,
            e -> assertThat(e.field()).isEqualTo("spec.template.spec.schedulerName"));
  }
}
