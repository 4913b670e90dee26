package dev.contrastive.trainer.data.hub;

import java.nio.file.Path;
import java.time.Duration;

/** One process downloading a fake Hub's data set into a cache: {@code ENDPOINT CACHE}. */
public final class DownloadProcess {

  private DownloadProcess() {}

  public static void main(String[] args) {
    HubDatasets.download(HubDatasetsTest.spec(), new HubSettings(args[0], null, false, Path.of(args[1])),
        System.out::println, HubDownloadTest.FAST, Duration.ofSeconds(5), Duration.ofMillis(200));
    System.out.println("done");
  }
}
