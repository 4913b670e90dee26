package dev.contrastive.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a checkpoint reaches the disk: fsync order, and a volume that is or becomes full. */
class CheckpointWriteTest {

  @TempDir Path dir;
  private final List<String> warnings = new ArrayList<>();

  @Test
  void everyFileAndBothFoldersAreFsyncedAndTheManifestComesLast() throws IOException {
    Recording volume = new Recording();
    CheckpointStore store = new CheckpointStore(dir, 2, volume, warnings::add);

    Path written = store.write(snapshot(1, 10, 1000));

    assertThat(volume.calls).hasSize(6);
    assertThat(volume.calls.subList(0, 4)).allSatisfy(c -> assertThat(c).startsWith("file .tmp-ckpt-e00001-s0000000010-"))
        .extracting(c -> c.substring(c.lastIndexOf('/') + 1))
        .containsExactly("model.params", "optimizer.bin", "state.json", "manifest.json");
    assertThat(volume.calls.get(4)).startsWith("folder .tmp-ckpt-e00001-s0000000010-"); // before the rename
    assertThat(volume.calls.get(5)).isEqualTo("folder " + dir.getFileName()); // the rename itself
    assertThat(Checkpoint.verified(written).state()).isEqualTo(new TrainingState(1, 10, 42));
  }

  @Test
  void aShortVolumeLosesTheCheckpointsPruneWouldDropFirstButNeverTheNewest() throws IOException {
    Recording volume = new Recording();
    CheckpointStore store = new CheckpointStore(dir, 2, volume, warnings::add);
    Path first = store.write(snapshot(1, 10, 1000));
    Path second = store.write(snapshot(2, 20, 1000));
    // room for the new checkpoint only once the first (which prune would drop afterwards) is gone
    volume.usable = () -> folderCount() >= 2 ? 1 << 20 : 64L << 20;

    Path third = store.write(snapshot(3, 30, 1000));

    assertThat(store.folders()).containsExactly(second, third);
    assertThat(first).doesNotExist();
    assertThat(warnings).singleElement().asString().contains("removed 1 older checkpoint(s) early to make room");
  }

  @Test
  void aVolumeThatStaysTooSmallFailsWithOneClearLineAndKeepsTheNewestCheckpoint() throws IOException {
    Recording volume = new Recording();
    CheckpointStore store = new CheckpointStore(dir, 1, volume, warnings::add);
    Path only = store.write(snapshot(1, 10, 1000));
    volume.usable = () -> 512 << 10;

    assertThatThrownBy(() -> store.write(snapshot(2, 20, 3 << 20)))
        .isInstanceOf(CheckpointStore.CheckpointVolumeFullException.class)
        .hasMessage(dir + ": the checkpoint volume has 1 MiB free but ckpt-e00002-s0000000020 needs 5 MiB: "
            + "free or enlarge the volume, or lower trainer.keepCheckpoints");
    assertThat(store.folders()).containsExactly(only);
  }

  @Test
  void aDiskThatFillsDuringTheWriteFailsClearlyAndLeavesNoTemporaryFolder() throws IOException {
    Recording volume = new Recording();
    CheckpointStore store = new CheckpointStore(dir, 2, volume, warnings::add);
    Path only = store.write(snapshot(1, 10, 1000));
    volume.failOn = "optimizer.bin";

    assertThatThrownBy(() -> store.write(snapshot(2, 20, 1000)))
        .isInstanceOf(CheckpointStore.CheckpointVolumeFullException.class)
        .hasMessageStartingWith(dir + ": the checkpoint volume filled up while writing ckpt-e00002-s0000000020");
    assertThat(CheckpointIntegrityTest.names(dir)).containsExactly(only.getFileName().toString());
  }

  private int folderCount() {
    return new CheckpointStore(dir, 1).folders().size();
  }

  static CheckpointSnapshot snapshot(int epochs, long step, int bytes) {
    byte[] parameters = new byte[bytes];
    parameters[0] = (byte) epochs;
    return new CheckpointSnapshot(new TrainingState(epochs, step, 42), parameters, new byte[] {0, 0, 0, 0});
  }

  /** The real disk, recording each durable operation; its free space and a failing file can be set. */
  private final class Recording implements CheckpointVolume {
    final List<String> calls = new ArrayList<>();
    java.util.function.LongSupplier usable = () -> Long.MAX_VALUE;
    String failOn;

    @Override
    public void writeFile(Path file, byte[] bytes) throws IOException {
      if (file.getFileName().toString().equals(failOn)) {
        Files.write(file, new byte[bytes.length / 2]);
        throw new IOException("No space left on device");
      }
      LOCAL.writeFile(file, bytes);
      calls.add("file " + dir.relativize(file));
    }

    @Override
    public void syncFolder(Path folder) throws IOException {
      LOCAL.syncFolder(folder);
      calls.add("folder " + (folder.equals(dir) ? dir.getFileName() : dir.relativize(folder)));
    }

    @Override
    public long usableBytes(Path folder) {
      return usable.getAsLong();
    }
  }
}
