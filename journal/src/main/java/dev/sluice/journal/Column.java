package dev.sluice.journal;

import java.util.List;
import java.util.Objects;

/**
 * A source column.
 *
 * @param name the column's name, exact
 * @param pgType the source type as PostgreSQL formats it ({@code numeric(40,10)}, {@code character
 *     varying(20)}, {@code integer[]}, {@code mood}); a domain is given as its base type
 * @param kind how values are represented
 * @param elementKind for arrays, the elements' kind; otherwise null
 * @param keyPosition the 0-based position in the primary key, or -1 when not a key column
 * @param optional whether the column accepts NULL
 * @param enumValues for enum types, the labels in order; otherwise empty
 */
public record Column(
    String name,
    String pgType,
    ValueKind kind,
    ValueKind elementKind,
    int keyPosition,
    boolean optional,
    List<String> enumValues) {

  public Column {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(pgType, "pgType");
    Objects.requireNonNull(kind, "kind");
    enumValues = List.copyOf(enumValues);
    if ((kind == ValueKind.ARRAY) != (elementKind != null)) {
      throw new IllegalArgumentException("an element kind goes with arrays only: " + name);
    }
  }

  /** A plain column of a kind, for tests and simple callers. */
  public static Column of(String name, String pgType, ValueKind kind) {
    return new Column(name, pgType, kind, null, -1, true, List.of());
  }

  public boolean isKey() {
    return keyPosition >= 0;
  }

  /** The same column as the {@code position}-th key column (and NOT NULL). */
  public Column asKey(int position) {
    return new Column(name, pgType, kind, elementKind, position, false, enumValues);
  }
}
