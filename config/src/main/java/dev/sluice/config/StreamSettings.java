package dev.sluice.config;

/**
 * Where a stream target publishes: a NATS JetStream stream (created when missing) and the prefix of
 * its subjects, {@code <subjectPrefix>.<schema>.<table>}.
 *
 * @param name the JetStream stream's name
 * @param subjectPrefix the first tokens of every subject (one or more, separated by '.')
 */
public record StreamSettings(String name, String subjectPrefix) {
  public static final String DEFAULT_NAME = "SLUICE";
  public static final String DEFAULT_SUBJECT_PREFIX = "sluice";
}
