package dev.sluice.capture.internal;

import dev.sluice.journal.Lsn;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises the engine's failure to read a value it streamed: PostgreSQL's text of a {@code
 * timetz} whose offset has seconds ({@code 10:00:00+05:30:15}) and of an interval whose time part
 * is beyond 2,147,483,647 hours are values its parser cannot hold (snapshots read them exactly).
 * Stateless.
 */
public final class EngineFailure {
  private static final Pattern OFFSET = Pattern.compile("event at offset \\{[^}]*\\blsn=(\\d+)");

  private EngineFailure() {}

  /** A message naming the value and its position when the engine stopped on one; else empty. */
  public static Optional<String> unreadableValue(Throwable error) {
    String lsn = null;
    String value = null;
    for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      Matcher offset = OFFSET.matcher(message);
      if (offset.find()) {
        lsn = Lsn.format(Long.parseLong(offset.group(1)));
      }
      if (t instanceof java.time.format.DateTimeParseException parse) {
        value = "the time '" + parse.getParsedString() + "' (a timetz whose offset has seconds)";
      } else if (message.contains("Conversion of interval failed")
          || (t instanceof NumberFormatException && lsn != null && value == null)) {
        value = "an interval (its time part is beyond 2147483647 hours)";
      }
    }
    if (value == null || lsn == null) {
      return Optional.empty();
    }
    return Optional.of(
        "the engine cannot read "
            + value
            + " that the source streamed at LSN "
            + lsn
            + ": capture stops before it (the change is not journaled and the slot keeps it);"
            + " change the value on the source and advance the slot past that LSN, or take the"
            + " table out of source.tables and run 'sluice snapshot'");
  }
}
