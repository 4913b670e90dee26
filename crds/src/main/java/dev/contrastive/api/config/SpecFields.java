package dev.contrastive.api.config;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the spec model as a dotted key (e.g. {@code optimizer.lr}), found by reflection
 * on the public fields, so that checks, overrides and help all follow the model.
 */
final class SpecFields {

  /** One setting: its dotted key below {@code spec} and the fields that lead to it. */
  record Setting(String key, List<Field> path) {

    Field field() {
      return path.get(path.size() - 1);
    }

    /** The setting's value in {@code spec}, or null where it or a group above it is unset. */
    Object valueIn(ContrastiveTrainingRunSpec spec) {
      Object value = spec;
      for (Field field : path) {
        if (value == null) {
          return null;
        }
        value = read(field, value);
      }
      return value;
    }
  }

  static final List<Setting> ALL = collect(ContrastiveTrainingRunSpec.class, "", List.of());

  private SpecFields() {}

  /** The setting with this exact dotted key. */
  static Optional<Setting> find(String key) {
    return ALL.stream().filter(s -> s.key().equals(key)).findFirst();
  }

  /** The group classes (architecture, optimizer, ...) are the spec package's own classes. */
  static boolean isGroup(Class<?> type) {
    return type.getPackageName().equals(ContrastiveTrainingRunSpec.class.getPackageName());
  }

  /** Public instance fields in declaration order: they are the YAML keys. */
  static List<Field> publicFields(Class<?> type) {
    return Arrays.stream(type.getDeclaredFields())
        .filter(f -> Modifier.isPublic(f.getModifiers()) && !Modifier.isStatic(f.getModifiers()))
        .toList();
  }

  static Object read(Field field, Object owner) {
    try {
      return field.get(owner);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("model field " + field + " is not readable", e);
    }
  }

  private static List<Setting> collect(Class<?> type, String prefix, List<Field> parents) {
    List<Setting> settings = new ArrayList<>();
    for (Field field : publicFields(type)) {
      List<Field> path = new ArrayList<>(parents);
      path.add(field);
      String key = prefix + field.getName();
      if (isGroup(field.getType())) {
        settings.addAll(collect(field.getType(), key + ".", path));
      } else {
        settings.add(new Setting(key, List.copyOf(path)));
      }
    }
    return List.copyOf(settings);
  }
}
