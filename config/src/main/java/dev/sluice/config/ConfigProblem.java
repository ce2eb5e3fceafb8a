package dev.sluice.config;

/**
 * One problem found in a configuration file.
 *
 * @param origin the file name (or another label for the text), never null
 * @param path the YAML path of the key, e.g. {@code rules[0].mode}; empty for the whole document
 * @param line the 1-based line in the file, or 0 when unknown
 * @param message what is wrong and, where possible, how to fix it
 */
public record ConfigProblem(String origin, String path, int line, String message) {

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(origin);
    if (line > 0) {
      text.append(':').append(line);
    }
    text.append(": ");
    if (!path.isEmpty()) {
      text.append(path).append(": ");
    }
    return text.append(message).toString();
  }
}
