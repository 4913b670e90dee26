package dev.contrastive.trainer.cli;

import static dev.contrastive.trainer.cli.CliRun.newestTinyCheckpoint;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.contrastive.trainer.model.SimClrModel;
import dev.contrastive.trainer.model.TinyModels;
import dev.contrastive.trainer.train.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * In bf16 and fp16 a run stopped after one epoch and resumed ends bit for bit where a straight run
 * ends (parameters, BatchNorm statistics, optimizer state and, in fp16, the loss scale), and its
 * checkpoints hold fp32 parameters.
 */
class MixedPrecisionResumeTest {

  @ParameterizedTest
  @ValueSource(strings = {"bf16", "fp16"})
  void resumedRunIsBitIdenticalToStraightRunAndCheckpointsAreFp32(String precision, @TempDir Path dir)
      throws IOException {
    Path straight = dir.resolve("straight");
    Path resumed = dir.resolve("resumed");

    CliRun full = train(straight, precision);
    CliRun firstHalf = train(resumed, precision, "--stop-after-epochs=1");
    CliRun secondHalf = train(resumed, precision);

    assertThat(full.exitCode()).as(full.err()).isZero();
    assertThat(firstHalf.exitCode()).as(firstHalf.err()).isZero();
    assertThat(secondHalf.exitCode()).as(secondHalf.err()).isZero();
    Path straightEnd = newestTinyCheckpoint(straight);
    Path resumedEnd = newestTinyCheckpoint(resumed);
    assertThat(resumedEnd.getFileName()).isEqualTo(straightEnd.getFileName());
    assertThat(Files.readAllBytes(resumedEnd.resolve("model.params")))
        .isEqualTo(Files.readAllBytes(straightEnd.resolve("model.params")));
    assertThat(Files.readAllBytes(resumedEnd.resolve("optimizer.bin")))
        .isEqualTo(Files.readAllBytes(straightEnd.resolve("optimizer.bin")));

    // the setting took effect (other numbers than fp32's) and the files keep fp32's layout
    Path fp32 = dir.resolve("fp32");
    assertThat(train(fp32, "fp32").exitCode()).isZero();
    byte[] fp32Parameters = Files.readAllBytes(newestTinyCheckpoint(fp32).resolve("model.params"));
    byte[] parameters = Files.readAllBytes(straightEnd.resolve("model.params"));
    assertThat(parameters).hasSameSizeAs(fp32Parameters).isNotEqualTo(fp32Parameters);
    try (NDManager manager = NDManager.newBaseManager()) {
      SimClrModel model = TinyModels.tinyRun(manager);
      Checkpoint.verified(straightEnd).loadParametersInto(model, manager);
      for (Pair<String, Parameter> entry : model.getParameters()) {
        assertThat(entry.getValue().getArray().getDataType()).as(entry.getKey()).isEqualTo(DataType.FLOAT32);
      }
      Checkpoint.verified(straightEnd).optimizerState(manager)
          .forEach((key, slot) -> assertThat(slot.getDataType()).as(key).isEqualTo(DataType.FLOAT32));
    }
  }

  private static CliRun train(Path checkpoints, String precision, String... extra) {
    return CliRun.trainTiny(checkpoints,
        Stream.concat(Stream.of("trainer.precision=" + precision), Stream.of(extra)).toArray(String[]::new));
  }
}
