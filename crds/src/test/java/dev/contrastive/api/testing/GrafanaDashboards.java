package dev.contrastive.api.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of a Grafana dashboard (deploy/components/monitoring/dashboards) and the metric names
 * it reads, so tests can hold them against what the code exports.
 */
public final class GrafanaDashboards {

  /** The dashboards, from a module's folder. */
  public static final Path FOLDER = Path.of("../deploy/components/monitoring/dashboards");

  private static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\((.*),\\s*\\w+\\)$");
  private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*+(?!\\s*\\()");
  private static final Set<String> KEYWORDS =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset");

  private GrafanaDashboards() {}

  /** One query: the panel (or variable) it belongs to and its PromQL. */
  public record Query(String panel, String promql) {}

  /** Every panel target's expression and every query variable's PromQL ({@code label_values}' first argument). */
  public static List<Query> queries(Path dashboard) throws IOException {
    JsonNode root = new ObjectMapper().readTree(dashboard.toFile());
    List<Query> queries = new ArrayList<>();
    for (JsonNode panel : root.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        queries.add(new Query(panel.path("title").asText(), target.path("expr").asText()));
      }
    }
    for (JsonNode variable : root.path("templating").path("list")) {
      if ("query".equals(variable.path("type").asText())) {
        String definition = variable.path("definition").asText().trim();
        Matcher m = LABEL_VALUES.matcher(definition);
        queries.add(new Query("$" + variable.path("name").asText(), m.matches() ? m.group(1) : definition));
      }
    }
    return queries;
  }

  /** The metric names a PromQL expression reads (not its functions, keywords, labels or Grafana variables). */
  public static Set<String> metricNames(String promql) {
    String bare = STRINGS.matcher(promql).replaceAll("\"\"");
    bare = bare.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
    bare = GROUPING.matcher(bare).replaceAll(" ");
    Set<String> names = new LinkedHashSet<>();
    Matcher m = IDENTIFIER.matcher(bare);
    while (m.find()) {
      if (!KEYWORDS.contains(m.group())) {
        names.add(m.group());
      }
    }
    return names;
  }

  /** The sample names of a Prometheus text-format scrape ({@code x_total}, {@code x_bucket}, ...). */
  public static Set<String> sampleNames(String scrape) {
    Set<String> names = new LinkedHashSet<>();
    scrape.lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
        .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
    return names;
  }
}
