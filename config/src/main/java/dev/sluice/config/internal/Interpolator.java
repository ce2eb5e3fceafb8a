package dev.sluice.config.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} with environment values; {@code $$} is a
 * literal {@code $}.
 *
 * <p>Before the YAML is parsed, {@link #protect} swaps each {@code ${...}} for a placeholder that
 * is safe anywhere in YAML (so {@code { password: ${PW} }} parses although braces are YAML syntax).
 * Values are substituted into scalars after parsing, so an environment value can never change the
 * document's structure. One instance per document; not thread-safe.
 */
public final class Interpolator {
  private static final Pattern PLACEHOLDER = Pattern.compile("__sluice_env_(\\d+)__");

  private final Map<String, String> environment;
  private final List<String> expressions = new ArrayList<>();

  public Interpolator(Map<String, String> environment) {
    this.environment = environment;
  }

  /** Returns the text with every {@code ${...}} replaced by a placeholder on the same line. */
  public String protect(String text) {
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      int end =
          c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{'
              ? text.indexOf('}', i)
              : -1;
      if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '$') {
        out.append("$$");
        i += 2;
      } else if (end > 0 && text.substring(i, end).indexOf('\n') < 0) {
        out.append("__sluice_env_").append(expressions.size()).append("__");
        expressions.add(text.substring(i, end + 1));
        i = end + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** Puts the original {@code ${...}} expressions back in place of their placeholders. */
  String restore(String text) {
    if (expressions.isEmpty() || text.indexOf("__sluice_env_") < 0) {
      return text;
    }
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      int index = Integer.parseInt(m.group(1));
      String original = index < expressions.size() ? expressions.get(index) : m.group();
      m.appendReplacement(out, Matcher.quoteReplacement(original));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * Interpolates one scalar.
   *
   * @param problems receives one message per variable that is not set and has no default
   */
  String interpolate(String raw, Consumer<String> problems) {
    String text = restore(raw);
    if (text.indexOf('$') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
      } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          problems.accept("'" + text + "' has an unclosed ${");
          return text;
        }
        out.append(resolve(text.substring(i + 2, end), problems));
        i = end + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private String resolve(String expression, Consumer<String> problems) {
    int dash = expression.indexOf(":-");
    String name = dash < 0 ? expression : expression.substring(0, dash);
    String value = environment.get(name);
    if (value != null && !(dash >= 0 && value.isEmpty())) {
      return value;
    }
    if (dash >= 0) {
      return expression.substring(dash + 2);
    }
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      problems.accept("'${" + expression + "}' is not a variable reference like ${NAME}");
    } else {
      problems.accept(
          "environment variable "
              + name
              + " is not set (set it, or write ${"
              + name
              + ":-default} for a default)");
    }
    return "";
  }
}
