package dev.contrastive.trainer.data.hub;

import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which Parquet files of a Hub repository hold a split, by the file-name conventions the {@code
 * datasets} library follows: {@code data/train-00000-of-00294.parquet}, {@code
 * default/train/0000.parquet} (the Hub's refs/convert/parquet branch), {@code cifar10-test.parquet}:
 * the split's name between separators ({@code / - _ .}, digits or a space). Files are taken in path
 * order, which is shard order.
 */
final class SplitFiles {

  private static final Pattern NUMBERED = Pattern.compile("(.+?)-\\d+-of-\\d+");
  private static final Pattern NUMBER = Pattern.compile("\\d+");

  private SplitFiles() {}

  /** Parquet files of {@code split} among {@code paths}, sorted. */
  static List<String> of(List<String> paths, String split) {
    Pattern named = Pattern.compile("(^|[-_./ 0-9])" + Pattern.quote(split) + "([-_./ 0-9])");
    return paths.stream()
        .filter(SplitFiles::isParquet)
        .filter(p -> named.matcher(p).find())
        .sorted()
        .toList();
  }

  /** Split names the files seem to hold, for messages. */
  static SortedSet<String> names(List<String> paths) {
    SortedSet<String> names = new TreeSet<>();
    for (String path : paths) {
      if (!isParquet(path)) {
        continue;
      }
      String[] parts = path.split("/");
      String stem = parts[parts.length - 1].substring(0, parts[parts.length - 1].length() - ".parquet".length());
      Matcher numbered = NUMBERED.matcher(stem);
      if (numbered.matches()) {
        names.add(numbered.group(1));
      } else if (NUMBER.matcher(stem).matches() && parts.length > 1) {
        names.add(parts[parts.length - 2]);
      } else {
        names.add(stem);
      }
    }
    return names;
  }

  static boolean isParquet(String path) {
    return path.toLowerCase(Locale.ROOT).endsWith(".parquet");
  }
}
