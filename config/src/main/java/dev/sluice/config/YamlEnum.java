package dev.sluice.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * An enumeration whose constants users write in YAML in lower case with dashes ({@code SOURCE_WINS}
 * is {@code source-wins}).
 */
public interface YamlEnum {

  /** The constant's name as written in YAML. */
  default String yamlName() {
    return ((Enum<?>) this).name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Finds the constant written as {@code text}.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  static <E extends Enum<E> & YamlEnum> E parse(Class<E> type, String text) {
    for (E constant : type.getEnumConstants()) {
      if (constant.yamlName().equals(text)) {
        return constant;
      }
    }
    throw new IllegalArgumentException("'" + text + "' is not one of " + choices(type));
  }

  /** The accepted values, e.g. {@code cdc | mirror | append}. */
  static <E extends Enum<E> & YamlEnum> String choices(Class<E> type) {
    return Arrays.stream(type.getEnumConstants())
        .map(YamlEnum::yamlName)
        .collect(Collectors.joining(" | "));
  }
}
