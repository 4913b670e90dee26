package dev.contrastive.api.crd;

import dev.contrastive.api.ContrastiveTrainingRun;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Build step after Fabric8's CRD generator, which sorts printer columns by JSON path: puts them
 * back in the order the model declares them, so that {@code kubectl get ctrun} reads Phase,
 * Workers, Ranks, Epoch, Loss, kNN, Age rather than starting with Age. Only the order of the column
 * entries changes; every line stays as the generator wrote it.
 */
public final class PrinterColumnOrder {

  private static final String LIST = "  - additionalPrinterColumns:";
  private static final String ENTRY = "    - jsonPath: ";
  private static final String ENTRY_BODY = "      ";

  private PrinterColumnOrder() {}

  /** Argument: the generated CRD file, rewritten in place. */
  public static void main(String[] args) throws IOException {
    Path crd = Path.of(args[0]);
    List<String> declared = Arrays.stream(ContrastiveTrainingRun.class.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::jsonPath).toList();
    Files.writeString(crd, reorder(Files.readString(crd), declared));
  }

  /** The CRD text with its printer column entries in the order of {@code jsonPaths}. */
  static String reorder(String crd, List<String> jsonPaths) {
    List<String> lines = new ArrayList<>(crd.lines().toList());
    int start = lines.indexOf(LIST) + 1;
    if (start == 0) {
      throw new IllegalStateException("no additionalPrinterColumns in the generated CRD");
    }
    Map<String, List<String>> entries = new LinkedHashMap<>();
    int end = start;
    while (end < lines.size() && lines.get(end).startsWith(ENTRY)) {
      List<String> entry = new ArrayList<>(List.of(lines.get(end++)));
      while (end < lines.size() && lines.get(end).startsWith(ENTRY_BODY)) {
        entry.add(lines.get(end++));
      }
      entries.put(unquote(entry.get(0).substring(ENTRY.length())), entry);
    }
    if (!entries.keySet().equals(new HashSet<>(jsonPaths))) {
      throw new IllegalStateException("generated printer columns " + entries.keySet()
          + " are not the declared ones " + jsonPaths);
    }
    List<String> ordered = jsonPaths.stream().flatMap(path -> entries.get(path).stream()).toList();
    List<String> result = new ArrayList<>(lines.subList(0, start));
    result.addAll(ordered);
    result.addAll(lines.subList(end, lines.size()));
    return String.join("\n", result) + (crd.endsWith("\n") ? "\n" : "");
  }

  private static String unquote(String value) {
    return value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
  }
}
