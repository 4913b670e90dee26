package dev.contrastive.trainer.data;

import java.nio.file.Path;

/**
 * Location of the CIFAR-10 test slice: laid out and checked by {@code scripts/fetch-test-data},
 * which the build runs before the tests and which sets this property through surefire.
 */
public final class CifarSlice {

  private CifarSlice() {}

  public static Path dir() {
    String dir = System.getProperty("cifar.slice.dir");
    if (dir == null) {
      throw new IllegalStateException(
          "system property cifar.slice.dir is not set: run scripts/fetch-test-data DIR and pass -Dcifar.slice.dir=DIR");
    }
    return Path.of(dir);
  }
}
