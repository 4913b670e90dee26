package dev.contrastive.api.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/** Turns Jackson's binding errors into one-line messages that name the key and what it takes. */
final class JsonErrors {

  private JsonErrors() {}

  /**
   * @param prefix start of the message, e.g. {@code "run.yaml:12:5: "} or empty
   * @param root path of the bound value, e.g. {@code spec}, or empty for a whole run
   * @param tree the input, to quote the offending value
   */
  static InvalidConfigException toInvalidConfig(JsonMappingException e, String prefix, String root, JsonNode tree) {
    String path = path(root, e.getPath());
    if (e instanceof UnrecognizedPropertyException unknown) {
      return new InvalidConfigException(path, prefix + "unknown field " + path
          + "; allowed: " + names(unknown.getKnownPropertyIds()));
    }
    if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      JsonNode value = at(tree, e.getPath());
      String shown = value == null ? "" : quote(value) + " ";
      return new InvalidConfigException(path, prefix + path + ": " + shown
          + "is not " + expected(mismatch.getTargetType()));
    }
    return new InvalidConfigException(path, prefix + path + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
  }

  /** {@code "file:line:column: "} for a position in a file. */
  static String position(String source, JsonLocation location) {
    return location == null || location.getLineNr() < 1
        ? source + ": "
        : source + ":" + location.getLineNr() + ":" + location.getColumnNr() + ": ";
  }

  /** What a model type accepts, in YAML words. */
  static String expected(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Double.class || type == double.class || type == Float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (type.isEnum()) {
      return "one of " + List.of(type.getEnumConstants());
    }
    return "a mapping";
  }

  private static String path(String root, List<JsonMappingException.Reference> references) {
    StringBuilder path = new StringBuilder(root);
    for (JsonMappingException.Reference reference : references) {
      if (reference.getFieldName() != null) {
        path.append(path.isEmpty() ? "" : ".").append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static JsonNode at(JsonNode tree, List<JsonMappingException.Reference> references) {
    JsonNode node = tree;
    for (JsonMappingException.Reference reference : references) {
      if (node == null) {
        return null;
      }
      node = reference.getFieldName() != null ? node.get(reference.getFieldName()) : node.get(reference.getIndex());
    }
    return node;
  }

  private static String quote(JsonNode value) {
    return value.isTextual() ? "'" + value.asText() + "'" : value.isValueNode() ? value.asText() : "a " + kind(value);
  }

  private static String kind(JsonNode value) {
    return value.isArray() ? "list" : "mapping";
  }

  private static String names(Collection<Object> ids) {
    return ids == null ? "" : ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
  }
}
