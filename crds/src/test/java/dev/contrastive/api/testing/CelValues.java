package dev.contrastive.api.testing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Jackson's view of a resource as CEL sees it in the API server. */
public final class CelValues {

  private CelValues() {}

  /** CEL's int is a long: widen Jackson's Integers, in maps and lists too. */
  public static Object celValue(Object value) {
    if (value instanceof Integer i) {
      return i.longValue();
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(k, celValue(v)));
      return out;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(CelValues::celValue).toList();
    }
    return value;
  }
}
