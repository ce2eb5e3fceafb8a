package dev.sluice.journal;

import java.util.List;
import java.util.Objects;

/**
 * A source column.
 *
 * @param name the column's name, exact
 * @param pgType the source type as PostgreSQL formats it ({@code numeric(40,10)}, {@code character
 *     varying(20)}, {@code integer[]}, {@code mood}); a domain is given as its base type. Targets
 *     of other databases choose their type by it
 * @param kind how values are represented
 * @param elementKind for arrays, the elements' kind; otherwise null
 * @param keyPosition the 0-based position in the primary key, or -1 when not a key column
 * @param optional whether the column accepts NULL
 * @param enumValues for enum types, the labels in order; otherwise empty
 * @param defaultText the value, in PostgreSQL's text form, that rows which existed before the
 *     column was added have in it (PostgreSQL fills a constant default in without writing a WAL row
 *     for them); null when there is none or it cannot be known (no default, a volatile one such as
 *     {@code clock_timestamp()} or {@code nextval(...)}, or a table rewritten since)
 * @param sourceType the exact source type (domains, enums, composite and range types, extension
 *     types, array dimensions), which PostgreSQL targets create; null in journals written before it
 *     was recorded (then {@code pgType} and {@code enumValues} are all there is)
 * @param generated how the column is computed when it is a generated column; otherwise null
 */
public record Column(
    String name,
    String pgType,
    ValueKind kind,
    ValueKind elementKind,
    int keyPosition,
    boolean optional,
    List<String> enumValues,
    String defaultText,
    SourceType sourceType,
    Generated generated) {

  public Column {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(pgType, "pgType");
    Objects.requireNonNull(kind, "kind");
    enumValues = List.copyOf(enumValues);
    if ((kind == ValueKind.ARRAY) != (elementKind != null)) {
      throw new IllegalArgumentException("an element kind goes with arrays only: " + name);
    }
  }

  /** A column without a known default, exact type or generation. */
  public Column(
      String name,
      String pgType,
      ValueKind kind,
      ValueKind elementKind,
      int keyPosition,
      boolean optional,
      List<String> enumValues) {
    this(name, pgType, kind, elementKind, keyPosition, optional, enumValues, null, null, null);
  }

  /** A plain column of a kind, for tests and simple callers. */
  public static Column of(String name, String pgType, ValueKind kind) {
    return new Column(name, pgType, kind, null, -1, true, List.of());
  }

  public boolean isKey() {
    return keyPosition >= 0;
  }

  public boolean isGenerated() {
    return generated != null;
  }

  /** The same column as the {@code position}-th key column (and NOT NULL). */
  public Column asKey(int position) {
    return new Column(
        name,
        pgType,
        kind,
        elementKind,
        position,
        false,
        enumValues,
        defaultText,
        sourceType,
        generated);
  }

  /** The same column with the value that rows existing before it was added have. */
  public Column withDefaultText(String text) {
    return new Column(
        name,
        pgType,
        kind,
        elementKind,
        keyPosition,
        optional,
        enumValues,
        text,
        sourceType,
        generated);
  }

  /** The same column with its exact source type and generation. */
  public Column withSource(SourceType type, Generated generation) {
    return new Column(
        name,
        pgType,
        kind,
        elementKind,
        keyPosition,
        optional,
        enumValues,
        defaultText,
        type,
        generation);
  }
}
