package dev.contrastive.api.config;

import com.fasterxml.jackson.core.JsonProcessingException;

/** Run files: the ContrastiveTrainingRun YAML users apply, read and written without a cluster. */
public final class RunFiles {

  private RunFiles() {}

  /** YAML of a run or spec in the model's key order, without nulls or empty collections. */
  public static String toYaml(Object runOrSpec) {
    try {
      return ConfigMapper.YAML.writeValueAsString(runOrSpec);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + runOrSpec.getClass().getSimpleName() + " as YAML", e);
    }
  }
}
