package dev.contrastive.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.trainer.cli.UserInputException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RunCheckpointFolderTest {

  private static final Path MOUNT = Path.of("/checkpoints");

  @Test
  void aRunOwnsNamespaceNameUid() {
    assertThat(RunCheckpointFolder.of(MOUNT, "team-a", "simclr.v1", "0b7d4c1e-9f2a-4d3b-8c1d-2e3f4a5b6c7d"))
        .isEqualTo(Path.of("/checkpoints/team-a/simclr.v1/0b7d4c1e-9f2a-4d3b-8c1d-2e3f4a5b6c7d"));
  }

  @Test
  void aRunWithoutUidUsesLocal() {
    assertThat(RunCheckpointFolder.of(MOUNT, "default", "tiny", "")).isEqualTo(Path.of("/checkpoints/default/tiny/local"));
    assertThat(RunCheckpointFolder.of(MOUNT, "default", "tiny", null)).isEqualTo(Path.of("/checkpoints/default/tiny/local"));
  }

  @Test
  void partsThatCouldLeaveTheVolumeOrReachAnotherRunAreRefused() {
    assertThatThrownBy(() -> RunCheckpointFolder.of(MOUNT, "..", "tiny", "u1"))
        .isInstanceOf(UserInputException.class).hasMessageContaining("namespace").hasMessageContaining("'..'");
    assertThatThrownBy(() -> RunCheckpointFolder.of(MOUNT, "default", "a/../../b", "u1"))
        .isInstanceOf(UserInputException.class).hasMessageContaining("run name");
    assertThatThrownBy(() -> RunCheckpointFolder.of(MOUNT, "default", "Tiny", "u1"))
        .isInstanceOf(UserInputException.class).hasMessageContaining("run name").hasMessageContaining("'Tiny'");
    assertThatThrownBy(() -> RunCheckpointFolder.of(MOUNT, "default", "tiny", "../other-uid"))
        .isInstanceOf(UserInputException.class).hasMessageContaining("run uid");
    assertThatThrownBy(() -> RunCheckpointFolder.of(MOUNT, "default", "tiny", "."))
        .isInstanceOf(UserInputException.class).hasMessageContaining("run uid");
  }
}
