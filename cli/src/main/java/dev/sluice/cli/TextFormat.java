package dev.sluice.cli;

import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Column;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.Lsn;
import dev.sluice.journal.Marker;
import dev.sluice.journal.Op;
import dev.sluice.journal.Unavailable;
import dev.sluice.journal.ValueKind;
import dev.sluice.journal.ValueText;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Journal entries for people, one line each: position, commit time, transaction, LSN, operation,
 * table, key, then the values (an update shows {@code column: old → new} when the old value is
 * known).
 */
final class TextFormat {
  /** Longer values are cut to this many characters (the JSON format always has them whole). */
  private static final int MAX_VALUE = 60;

  private TextFormat() {}

  static String format(JournalEntry entry) {
    if (entry instanceof Marker marker) {
      return JournalPosition.format(marker.position())
          + "  "
          + ValueText.timestampTz(marker.timeMicros())
          + "  -- "
          + marker.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
          + (marker.detail().isEmpty() ? "" : ": " + marker.detail());
    }
    ChangeEvent event = (ChangeEvent) entry;
    StringBuilder line = new StringBuilder();
    line.append(JournalPosition.format(event.position()))
        .append("  ")
        .append(ValueText.timestampTz(event.commitTimeMicros()))
        .append("  tx ")
        .append(event.txId())
        .append("  ")
        .append(Lsn.format(event.lsn()))
        .append("  ")
        .append(event.op().name())
        .append(' ')
        .append(event.table());
    List<Column> columns = event.schema().columns();
    if (event.op() != Op.TRUNCATE && event.schema().hasKey()) {
      StringJoiner key = new StringJoiner(", ", " [", "]");
      Object[] row = event.after() != null ? event.after() : event.before();
      for (int index : event.schema().keyIndexes()) {
        key.add(columns.get(index).name() + "=" + value(row[index], columns.get(index)));
      }
      line.append(key);
    }
    StringJoiner values = new StringJoiner(", ", " {", "}").setEmptyValue("");
    for (int i = 0; i < columns.size(); i++) {
      Column column = columns.get(i);
      Object after = event.after() == null ? null : event.after()[i];
      Object before = event.before() == null ? Unavailable.ABSENT : event.before()[i];
      if (column.isKey() && event.op() != Op.DELETE) {
        continue;
      }
      if (event.op() == Op.DELETE) {
        if (before != Unavailable.ABSENT && !column.isKey()) {
          values.add(column.name() + "=" + value(before, column));
        }
      } else if (after == Unavailable.UNCHANGED_TOAST) {
        values.add(column.name() + " (unchanged)");
      } else if (event.op() == Op.UPDATE
          && before != Unavailable.ABSENT
          && before != Unavailable.UNCHANGED_TOAST) {
        if (!Objects.deepEquals(before, after)) {
          values.add(column.name() + ": " + value(before, column) + " → " + value(after, column));
        }
      } else if (event.after() != null) {
        values.add(column.name() + "=" + value(after, column));
      }
    }
    line.append(values);
    if (event.has(ChangeEvent.KEY_CHANGE_OLD)) {
      line.append("  (key changed: old)");
    } else if (event.has(ChangeEvent.KEY_CHANGE_NEW)) {
      line.append("  (key changed: new)");
    }
    if (event.isLastInTransaction()) {
      line.append("  commit ").append(Lsn.format(event.commitLsn()));
    }
    return line.toString();
  }

  private static String value(Object value, Column column) {
    if (value == null) {
      return "NULL";
    }
    if (column.kind() == ValueKind.ARRAY && value instanceof List<?> list) {
      StringJoiner items = new StringJoiner(",", "{", "}");
      for (Object item : list) {
        items.add(item == null ? "NULL" : ValueText.format(item, column.elementKind()));
      }
      return items.toString();
    }
    String text = ValueText.format(value, column.kind());
    String shown = text.length() > MAX_VALUE ? text.substring(0, MAX_VALUE) + "…" : text;
    String quoted = value instanceof String ? "'" + shown.replace("'", "''") + "'" : shown;
    return text.length() > MAX_VALUE ? quoted + " (" + text.length() + " chars)" : quoted;
  }
}
