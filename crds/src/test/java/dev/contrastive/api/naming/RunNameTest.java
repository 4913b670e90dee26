package dev.contrastive.api.naming;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Run names from which every derived object name is valid, and one clear line for the others. */
class RunNameTest {

  /** Kubernetes' DNS-1035 label (Service names), which is also a DNS-1123 label (host names, label values). */
  private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

  @Test
  void theLongestNameLeavesRoomForTheLastWorkersSuffix() {
    assertThat(RunName.MAX_LENGTH).isEqualTo(63 - "-worker-1023".length()).isEqualTo(51);
  }

  @Test
  void everyNameDerivedFromTheLongestAllowedNameIsAValidLabel() {
    String longest = "r" + "x".repeat(RunName.MAX_LENGTH - 2) + "9";
    assertThat(RunName.problem(longest)).isEmpty();
    for (String suffix : RunName.SUFFIXES) {
      assertThat(longest + suffix).hasSizeLessThanOrEqualTo(63).matches(DNS_1035_LABEL);
    }
    assertThat(longest + RunName.WORKER_SUFFIX + (RunName.MAX_WORKERS - 1)).hasSize(63);
  }

  @ParameterizedTest
  @ValueSource(strings = {"simclr", "a", "cifar10-resnet18", "run-2"})
  void dnsLabelsAreFine(String name) {
    assertThat(RunName.problem(name)).isEmpty();
  }

  @Test
  void aNameOneCharacterTooLongIsRefusedWithTheLimitAndTheWorkersName() {
    String name = "r".repeat(RunName.MAX_LENGTH + 1);
    assertThat(RunName.problem(name)).hasValueSatisfying(line -> assertThat(line)
        .startsWith("metadata.name '" + name + "' has 52 characters; at most 51")
        .contains(name + "-worker-1023"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"SimCLR", "sim.clr", "1run", "run-", "-run", "sim_clr"})
  void whatIsNotADns1035LabelIsRefusedNamingTheField(String name) {
    assertThat(RunName.problem(name)).hasValueSatisfying(line -> assertThat(line)
        .startsWith("metadata.name '" + name + "' is not a DNS-1035 label"));
  }
}
