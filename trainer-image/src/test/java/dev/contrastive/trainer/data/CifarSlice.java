package dev.contrastive.trainer.data;

import java.nio.file.Path;

/** Location of the CIFAR-10 test slice, set by the module's surefire configuration. */
public final class CifarSlice {

  private CifarSlice() {}

  public static Path dir() {
    String dir = System.getProperty("cifar.slice.dir", "../../shared/data/cifar10-slice");
    return Path.of(dir);
  }
}
