package dev.sluice.cli;

import dev.sluice.config.SetupException;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.Lsn;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Where to start reading the journal, as users write it: {@code start}, {@code end}, a position
 * ({@code 20779:42}), an LSN ({@code lsn:16/B374D848}) or a time ({@code 2026-11-20T10:00:00Z}; a
 * time without offset is UTC, a date alone is its midnight UTC).
 */
final class JournalStart {
  private JournalStart() {}

  /**
   * The position to start at; {@link JournalPosition#NONE} for the journal's end.
   *
   * @throws SetupException when the text is none of the forms, naming them
   */
  static long resolve(String text, Journal journal) {
    String value = text.trim();
    if (value.equals("start")) {
      long first = journal.firstPosition();
      return first == JournalPosition.NONE ? JournalPosition.NONE : first;
    }
    if (value.equals("end")) {
      return JournalPosition.NONE;
    }
    try {
      if (value.startsWith("lsn:")) {
        return journal.positionAtLsn(Lsn.parse(value.substring(4)));
      }
      if (JournalPosition.looksLikePosition(value)) {
        return JournalPosition.parse(value);
      }
    } catch (IllegalArgumentException e) {
      throw new SetupException("--from " + text + ": " + e.getMessage());
    }
    return journal.positionAtTime(parseTime(text));
  }

  static Instant parseTime(String text) {
    String value = text.trim();
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      // try the other forms
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      // try the other forms
    }
    try {
      return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      // try the other forms
    }
    try {
      return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new SetupException(
          "--from "
              + text
              + " is not a journal position (20779:42), an LSN (lsn:16/B374D848), a time"
              + " (2026-11-20T10:00:00Z), 'start' or 'end'");
    }
  }
}
