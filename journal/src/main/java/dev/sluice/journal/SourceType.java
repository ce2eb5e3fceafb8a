package dev.sluice.journal;

import java.util.List;
import java.util.Objects;

/**
 * A column's exact type on the source, as a PostgreSQL target re-creates it.
 *
 * @param expression the type as a column definition writes it: built-in types as {@code
 *     format_type} gives them ({@code numeric(12,2)}, {@code character varying(20)[]}), every other
 *     type schema-qualified and quoted ({@code "public"."mood"[]}), arrays with the declared number
 *     of dimensions ({@code integer[][]})
 * @param definitions the types the column's type needs that are not built in (its own, the types of
 *     a domain's base, a composite's attributes, a range's subtype, an array's element), each once,
 *     every type after those it needs; empty for built-in types
 */
public record SourceType(String expression, List<TypeDefinition> definitions) {
  public SourceType {
    Objects.requireNonNull(expression, "expression");
    definitions = List.copyOf(definitions);
  }

  /** A built-in type. */
  public static SourceType builtIn(String expression) {
    return new SourceType(expression, List.of());
  }
}
