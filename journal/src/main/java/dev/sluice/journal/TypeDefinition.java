package dev.sluice.journal;

import java.util.Objects;

/**
 * A type defined on the source outside PostgreSQL's built-in ones, that a column's type needs: what
 * a PostgreSQL target must have before it can create the column with the source's exact type.
 *
 * @param schema the type's schema on the source
 * @param name the type's name, exact
 * @param kind what the type is
 * @param extension for {@link Kind#EXTENSION}, the extension that provides the type; otherwise null
 * @param definition the statement that creates the type ({@code CREATE TYPE ...}, {@code CREATE
 *     DOMAIN ...}), as the source describes it, with every name quoted and schema-qualified; null
 *     for {@link Kind#EXTENSION} and {@link Kind#BASE}
 */
public record TypeDefinition(
    String schema, String name, Kind kind, String extension, String definition) {

  /** What a type is. */
  public enum Kind {
    ENUM,
    DOMAIN,
    COMPOSITE,
    RANGE,
    /** A type of an extension ({@code citext}, {@code hstore}): the extension provides it. */
    EXTENSION,
    /** A base type created outside any extension (in C): a target must have it already. */
    BASE;

    private static final Kind[] VALUES = values();

    static Kind ofOrdinal(int ordinal) {
      return VALUES[ordinal];
    }
  }

  public TypeDefinition {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    if ((kind == Kind.EXTENSION) != (extension != null)) {
      throw new IllegalArgumentException("an extension goes with extension types only: " + name);
    }
    if ((kind == Kind.EXTENSION || kind == Kind.BASE) == (definition != null)) {
      throw new IllegalArgumentException(
          "a definition goes with every kind but extension and base types");
    }
  }

  /** {@code "schema"."name"}. */
  public String qualifiedName() {
    return quote(schema) + "." + quote(name);
  }

  /** A quoted PostgreSQL identifier. */
  public static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
