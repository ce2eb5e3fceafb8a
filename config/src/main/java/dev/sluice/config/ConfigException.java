package dev.sluice.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration that cannot be used, with every problem found in it (never an empty list). */
public final class ConfigException extends SetupException {
  private static final long serialVersionUID = 1L;

  private final transient List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(describe(problems));
    this.problems = List.copyOf(problems);
  }

  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String describe(List<ConfigProblem> problems) {
    String header =
        problems.size() == 1
            ? "invalid configuration:\n"
            : "invalid configuration (" + problems.size() + " problems):\n";
    return header + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
  }
}
