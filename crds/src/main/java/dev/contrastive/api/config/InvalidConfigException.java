package dev.contrastive.api.config;

/**
 * A setting the run cannot have. {@link #getMessage()} is one line for the user (it names the key,
 * the value and what is allowed); {@link #field()} is the dotted path, e.g. {@code
 * spec.optimizer.lr}, for conditions and tools.
 */
public class InvalidConfigException extends RuntimeException {

  private final String field;

  public InvalidConfigException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** An error whose message is {@code "<field>: <problem>"}. */
  public static InvalidConfigException at(String field, String problem) {
    return new InvalidConfigException(field, field + ": " + problem);
  }

  /** Dotted path of the offending setting, starting with {@code spec.} where it is in the spec. */
  public String field() {
    return field;
  }
}
