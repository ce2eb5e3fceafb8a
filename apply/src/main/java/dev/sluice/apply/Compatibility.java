package dev.sluice.apply;

import dev.sluice.apply.internal.AppendCheck;
import dev.sluice.apply.internal.MongoTypes;
import dev.sluice.apply.internal.SqlDialect;
import dev.sluice.apply.internal.TableMapping;
import dev.sluice.config.Dialect;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.RuleMode;
import dev.sluice.config.SetupException;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TableName;
import dev.sluice.config.TargetConfig;
import dev.sluice.journal.Column;
import dev.sluice.journal.TableSchema;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * What a rule does to each source column in its target, before anything runs: the compatibility
 * report of {@code sluice validate --dry-run}, and the checks of targets and of append rules.
 */
public final class Compatibility {
  private Compatibility() {}

  /**
   * One column of one table of one rule.
   *
   * @param rule the rule
   * @param table the source table
   * @param targetTable the target table or collection
   * @param column the column
   * @param sourceType its source type
   * @param mapping how its values are stored
   */
  public record Line(
      String rule,
      TableName table,
      String targetTable,
      String column,
      String sourceType,
      TypeMapping mapping) {}

  /** The report for a rule over source tables (those it does not cover are left out). */
  public static List<Line> report(SluiceConfig config, RuleConfig rule, List<TableSchema> tables) {
    TargetConfig target = config.targetOf(rule);
    List<Line> lines = new ArrayList<>();
    if (target.dialect().isStream()) {
      return lines; // every value is sent as the journal holds it (see docs/streams.md)
    }
    for (TableSchema table : tables) {
      if (!rule.covers(table.table()) || !table.hasKey()) {
        continue;
      }
      TableMapping mapping;
      try {
        mapping = TableMapping.of(rule, target.dialect(), table);
      } catch (SetupException e) {
        continue;
      }
      for (Column column : table.columns()) {
        int i = mapping.columns().indexOf(column);
        TypeMapping type;
        if (i >= 0) {
          type =
              target.dialect() == Dialect.MONGODB
                  ? MongoTypes.map(column)
                  : SqlDialect.of(target.dialect()).typeOf(mapping, i);
          if (target.dialect() == Dialect.POSTGRESQL && column.isGenerated()) {
            type =
                new TypeMapping(
                    type.targetType(),
                    type.fidelity(),
                    "generated there as on the source: " + column.generated().expression());
          }
        } else if (column.isGenerated()) {
          type =
              TypeMapping.limited(
                  "(left out)",
                  "a generated column, whose values PostgreSQL publishes from version 18 only");
        } else {
          continue; // excluded by the rule
        }
        lines.add(
            new Line(
                rule.name(),
                table.table(),
                mapping.target().toString(),
                column.name(),
                column.sourceType() != null ? column.sourceType().expression() : column.pgType(),
                type));
      }
    }
    return lines;
  }

  /**
   * The tables a rule covers but cannot apply (no primary key, or its key among the excluded
   * columns): the rule would stop at their first change. Each message names the rule, the table and
   * what to change.
   */
  public static List<String> unappliable(
      RuleConfig rule, Dialect dialect, List<TableSchema> tables) {
    List<String> problems = new ArrayList<>();
    if (dialect.isStream()) {
      return problems; // a table without a key is published with a null message key
    }
    for (TableSchema table : tables) {
      if (!rule.covers(table.table())) {
        continue;
      }
      try {
        TableMapping.of(rule, dialect, table);
      } catch (SetupException e) {
        problems.add(
            e.getMessage()
                + (table.hasKey()
                    ? ""
                    : " (or leave it out of the rule's tables:, which capture can still journal)"));
      }
    }
    return problems;
  }

  /**
   * Whether a target can be reached and written: empty when so, else what is wrong. Changes
   * nothing.
   */
  public static Optional<String> checkTarget(TargetConfig target) {
    if (target.dialect().isStream()) {
      try (StreamTarget stream =
          dev.sluice.apply.internal.StreamTargets.connect(target, "sluice-validate", "")) {
        return Optional.empty();
      } catch (TargetException e) {
        return Optional.of(e.getMessage());
      }
    }
    try {
      if (target.dialect() == Dialect.MONGODB) {
        return MongoTypes.ping(target);
      }
      Properties properties = new Properties();
      if (target.user() != null) {
        properties.setProperty("user", target.user());
      }
      if (target.password() != null) {
        properties.setProperty("password", target.password().reveal());
      }
      String url =
          target.url().startsWith("jdbc:mysql:")
              ? "jdbc:mariadb:" + target.url().substring("jdbc:mysql:".length())
              : target.url();
      if (target.dialect() == Dialect.SQLITE) {
        java.nio.file.Path file =
            java.nio.file.Path.of(url.substring("jdbc:sqlite:".length())).toAbsolutePath();
        java.nio.file.Path dir = file.getParent();
        while (dir != null && !java.nio.file.Files.exists(dir)) {
          dir = dir.getParent();
        }
        return dir != null && java.nio.file.Files.isWritable(dir)
            ? Optional.empty()
            : Optional.of("cannot write " + file.getParent());
      }
      try (Connection connection = DriverManager.getConnection(url, properties);
          Statement statement = connection.createStatement()) {
        if (target.dialect() == Dialect.POSTGRESQL) {
          try (ResultSet rs =
              statement.executeQuery(
                  "SELECT has_database_privilege(current_user, current_database(), 'CREATE')")) {
            rs.next();
            if (!rs.getBoolean(1)) {
              return Optional.of(
                  "the user may not create schemas in this database (GRANT CREATE ON DATABASE ... TO ...)");
            }
          }
        } else {
          statement.execute("SELECT 1");
        }
      }
      return Optional.empty();
    } catch (Exception e) {
      return Optional.of(
          "cannot connect to "
              + target.maskedUrl()
              + ": "
              + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
  }

  /**
   * For a rule into PostgreSQL, the types its tables' columns need that the target lacks and Sluice
   * cannot create there (extension types, base types made outside any extension), each with the
   * fix; empty for other targets, or when the target cannot be reached (reported on its own).
   */
  public static List<String> checkTypes(
      SluiceConfig config, RuleConfig rule, List<TableSchema> tables) {
    TargetConfig target = config.targetOf(rule);
    List<String> problems = new ArrayList<>();
    if (target.dialect() != Dialect.POSTGRESQL) {
      return problems;
    }
    Properties properties = new Properties();
    if (target.user() != null) {
      properties.setProperty("user", target.user());
    }
    if (target.password() != null) {
      properties.setProperty("password", target.password().reveal());
    }
    try (Connection connection = DriverManager.getConnection(target.url(), properties)) {
      for (TableSchema table : tables) {
        if (!rule.covers(table.table()) || !table.hasKey()) {
          continue;
        }
        for (String missing :
            SqlDialect.missingPostgresTypes(
                connection, TableMapping.of(rule, target.dialect(), table).columns())) {
          problems.add(
              "rule "
                  + rule.name()
                  + ": target "
                  + target.name()
                  + " ("
                  + table.table()
                  + "): "
                  + missing);
        }
      }
    } catch (java.sql.SQLException | SetupException e) {
      // an unreachable target is reported by checkTarget; a keyless table by unappliable
    }
    return problems;
  }

  /** For an append rule, why a table's target is not a prefix of the source, per table. */
  public static List<String> checkAppend(
      SluiceConfig config, RuleConfig rule, List<TableSchema> tables) {
    List<String> problems = new ArrayList<>();
    if (rule.mode() != RuleMode.APPEND || config.targetOf(rule).dialect().isStream()) {
      return problems;
    }
    TargetConfig target = config.targetOf(rule);
    for (TableSchema table : tables) {
      if (!rule.covers(table.table()) || !table.hasKey()) {
        continue;
      }
      try {
        AppendCheck.check(config.source(), target, TableMapping.of(rule, target.dialect(), table))
            .ifPresent(problems::add);
      } catch (Exception e) {
        problems.add(
            "cannot check " + table.table() + " of rule " + rule.name() + ": " + e.getMessage());
      }
    }
    return problems;
  }
}
