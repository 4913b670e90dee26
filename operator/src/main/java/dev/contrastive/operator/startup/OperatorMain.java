package dev.contrastive.operator.startup;

import io.fabric8.kubernetes.client.Config;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** Entry point: checks the API server before Quarkus starts the operator. */
@QuarkusMain
public class OperatorMain {

  public static void main(String... args) {
    ApiServerCheck.problem(Config.autoConfigure(null)).ifPresent(problem -> {
      System.err.println(problem);
      System.exit(1);
    });
    Quarkus.run(args);
  }
}
