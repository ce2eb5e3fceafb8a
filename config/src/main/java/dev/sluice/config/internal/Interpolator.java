package dev.sluice.config.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
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
    return interpolate(restore(raw), problems, position -> false);
  }

  /**
   * Interpolates a URL. A variable that is the whole value is taken as it is (a URL kept in the
   * environment). One inside the user information (between {@code ://} and the last {@code @}) or
   * the query is percent-encoded, as those parts of a URL are: a password with {@code @}, {@code
   * /}, {@code :} or {@code &} stays one value and cannot move the URL to another host or add a
   * parameter. Elsewhere (host, port, path) values are taken as they are.
   *
   * @param problems receives one message per variable that is not set and has no default
   */
  String interpolateUrl(String raw, Consumer<String> problems) {
    String text = restore(raw);
    int scheme = text.indexOf("://");
    int query = text.indexOf('?');
    int at = text.lastIndexOf('@', query < 0 ? text.length() - 1 : query);
    boolean whole = text.startsWith("${") && text.indexOf('}') == text.length() - 1;
    return interpolate(
        text,
        problems,
        position ->
            !whole
                && (scheme >= 0 && position > scheme && position < at
                    || query >= 0 && position > query));
  }

  private String interpolate(String text, Consumer<String> problems, IntPredicate encodeAt) {
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
        String value = resolve(text.substring(i + 2, end), problems);
        out.append(encodeAt.test(i) ? percentEncoded(value) : value);
        i = end + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** UTF-8 percent-encoding of everything but the unreserved characters of RFC 3986. */
  static String percentEncoded(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c >= '0' && c <= '9'
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /**
   * {@code message} with the value of every variable that {@code raw} refers to replaced by its
   * reference ({@code ${NAME}}): a problem with a value must not print a secret that came from the
   * environment. Values shorter than 3 characters are left (they would garble the message and hide
   * nothing).
   */
  String hide(String message, String raw) {
    String text = restore(raw);
    String hidden = message;
    int i = text.indexOf("${");
    while (i >= 0) {
      int end = text.indexOf('}', i + 2);
      if (end < 0) {
        break;
      }
      String expression = text.substring(i + 2, end);
      int dash = expression.indexOf(":-");
      String name = dash < 0 ? expression : expression.substring(0, dash);
      String value = environment.get(name);
      if (value != null && value.length() >= 3) {
        hidden = hidden.replace(value, "${" + name + "}");
        String encoded = percentEncoded(value);
        if (!encoded.equals(value)) {
          hidden = hidden.replace(encoded, "${" + name + "}");
        }
      }
      i = text.indexOf("${", end);
    }
    return hidden;
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
