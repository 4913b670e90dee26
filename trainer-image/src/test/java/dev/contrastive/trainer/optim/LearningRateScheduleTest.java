package dev.contrastive.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.contrastive.api.spec.SchedulerSpec;
import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

  // 10 warm-up steps, 110 in all: cosine over steps 10..110 from 1.0 to 0.1
  private final LearningRateSchedule cosine =
      new LearningRateSchedule(1.0, 10, 110, LearningRateSchedule.Decay.COSINE, 0.1);

  @Test
  void warmUpRisesLinearlyFromTheFirstStep() {
    assertThat(cosine.at(0)).isCloseTo(0.1f, within(1e-6f));
    assertThat(cosine.at(4)).isCloseTo(0.5f, within(1e-6f));
  }

  @Test
  void warmUpEndsAtThePeak() {
    assertThat(cosine.at(9)).isCloseTo(1.0f, within(1e-6f));
    assertThat(cosine.at(10)).isCloseTo(1.0f, within(1e-6f));
  }

  @Test
  void cosineIsHalfwayBetweenPeakAndFloorAtItsMidpoint() {
    assertThat(cosine.at(60)).isCloseTo(0.55f, within(1e-6f));
  }

  @Test
  void cosineEndsAtTheFloorAndStaysThere() {
    assertThat(cosine.at(110)).isCloseTo(0.1f, within(1e-6f));
    assertThat(cosine.at(500)).isCloseTo(0.1f, within(1e-6f));
  }

  @Test
  void constantKeepsThePeakAfterWarmUp() {
    LearningRateSchedule constant =
        new LearningRateSchedule(0.3, 2, 100, LearningRateSchedule.Decay.CONSTANT, 0.0);
    assertThat(constant.at(0)).isCloseTo(0.15f, within(1e-6f));
    assertThat(constant.at(99)).isCloseTo(0.3f, within(1e-6f));
  }

  @Test
  void specWarmUpIsCountedInEpochs() {
    SchedulerSpec spec = new SchedulerSpec();
    spec.warmupEpochs = 2;
    spec.minLrRatio = 0.0;
    LearningRateSchedule schedule = LearningRateSchedule.of(spec, 2.0, 5, 4);
    assertThat(schedule.at(9)).isCloseTo(2.0f, within(1e-6f));
    assertThat(schedule.at(20)).isCloseTo(0.0f, within(1e-6f));
  }

  @Test
  void unknownDecayNamesTheField() {
    SchedulerSpec spec = new SchedulerSpec();
    spec.type = "step";
    assertThatThrownBy(() -> LearningRateSchedule.of(spec, 1.0, 5, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scheduler.type=step is unknown: use cosine or constant");
  }
}
