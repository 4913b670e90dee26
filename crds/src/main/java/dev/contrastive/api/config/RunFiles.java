package dev.contrastive.api.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.contrastive.api.ContrastiveTrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run files: the ContrastiveTrainingRun YAML users {@code kubectl apply}, read and written without a
 * cluster. Reading checks what the API server's decoding would (kind, field names, types); the
 * values themselves are checked by {@link ConfigResolver}.
 */
public final class RunFiles {

  private RunFiles() {}

  /** Reads a run file. @throws InvalidConfigException naming the file, and line and column where known */
  public static ContrastiveTrainingRun load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new InvalidConfigException(file.toString(), file + ": no such file");
    } catch (IOException e) {
      throw new InvalidConfigException(file.toString(), file + ": cannot read: " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  /**
   * Parses a run document.
   *
   * @param sourceName where the text came from, for messages (a file name)
   */
  public static ContrastiveTrainingRun parse(String yaml, String sourceName) {
    JsonNode tree;
    try {
      tree = ConfigMapper.YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException(sourceName, JsonErrors.position(sourceName, e.getLocation())
          + "malformed YAML: " + e.getOriginalMessage().lines().findFirst().orElse("").trim());
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      throw new InvalidConfigException(sourceName, sourceName + ": empty; expected a ContrastiveTrainingRun");
    }
    List<JsonNode> documents = documents(yaml, sourceName);
    if (documents.size() > 1) {
      return runAmong(documents, sourceName);
    }
    if (!tree.isObject()) {
      throw new InvalidConfigException(sourceName,
          sourceName + ": expected a mapping (a ContrastiveTrainingRun), found " + tree.getNodeType().toString().toLowerCase());
    }
    expect(tree, "apiVersion", ContrastiveTrainingRun.API_VERSION, sourceName);
    expect(tree, "kind", "ContrastiveTrainingRun", sourceName);
    try {
      return ConfigMapper.YAML.readValue(yaml, ContrastiveTrainingRun.class);
    } catch (JsonMappingException e) {
      throw JsonErrors.toInvalidConfig(e, JsonErrors.position(sourceName, e.getLocation()), "", tree);
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException(sourceName, JsonErrors.position(sourceName, e.getLocation())
          + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
  }

  /** The documents of a multi-document file (---), empty ones left out. */
  private static List<JsonNode> documents(String yaml, String sourceName) {
    try (MappingIterator<JsonNode> documents = ConfigMapper.YAML.readerFor(JsonNode.class).readValues(yaml)) {
      List<JsonNode> all = new ArrayList<>();
      while (documents.hasNextValue()) {
        JsonNode document = documents.nextValue();
        if (document != null && !document.isNull() && !document.isMissingNode()) {
          all.add(document);
        }
      }
      return all;
    } catch (IOException e) {
      throw new InvalidConfigException(sourceName, sourceName + ": malformed YAML: "
          + e.getMessage().lines().findFirst().orElse("").trim());
    }
  }

  /**
   * The one ContrastiveTrainingRun of a file that also holds what it needs (a
   * PersistentVolumeClaim, a Secret), as {@code kubectl apply -f} takes it.
   */
  private static ContrastiveTrainingRun runAmong(List<JsonNode> documents, String sourceName) {
    List<JsonNode> runs = documents.stream()
        .filter(d -> d.isObject() && "ContrastiveTrainingRun".equals(d.path("kind").asText())).toList();
    if (runs.size() != 1) {
      throw new InvalidConfigException(sourceName, sourceName + ": " + documents.size() + " documents, "
          + runs.size() + " of them ContrastiveTrainingRuns; expected exactly one");
    }
    JsonNode run = runs.get(0);
    expect(run, "apiVersion", ContrastiveTrainingRun.API_VERSION, sourceName);
    try {
      return ConfigMapper.YAML.treeToValue(run, ContrastiveTrainingRun.class);
    } catch (JsonMappingException e) {
      throw JsonErrors.toInvalidConfig(e, sourceName + ": ", "", run);
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException(sourceName, sourceName + ": "
          + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
  }

  /** YAML of a run or spec in the model's key order, without nulls or empty collections. */
  public static String toYaml(Object runOrSpec) {
    try {
      return ConfigMapper.YAML.writeValueAsString(runOrSpec);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + runOrSpec.getClass().getSimpleName() + " as YAML", e);
    }
  }

  private static void expect(JsonNode tree, String key, String wanted, String sourceName) {
    String actual = tree.path(key).asText();
    if (!wanted.equals(actual)) {
      throw new InvalidConfigException(key, sourceName + ": " + key + ": '" + actual
          + "' is not what this file must have; expected " + wanted);
    }
  }
}
