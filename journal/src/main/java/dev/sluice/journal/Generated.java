package dev.sluice.journal;

import java.util.Objects;

/**
 * How a generated (stored) column is computed on the source.
 *
 * @param expression the generation expression, as PostgreSQL prints it ({@code pg_get_expr})
 * @param published whether the source's change stream carries its values (PostgreSQL 18 with the
 *     publication's {@code publish_generated_columns = stored}); when not, streamed changes hold
 *     {@link Unavailable#ABSENT} in it, and only snapshot rows hold values
 */
public record Generated(String expression, boolean published) {
  public Generated {
    Objects.requireNonNull(expression, "expression");
  }
}
