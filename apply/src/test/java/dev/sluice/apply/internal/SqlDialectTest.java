package dev.sluice.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.apply.Fidelity;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.Dialect;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.TableName;
import dev.sluice.journal.Column;
import dev.sluice.journal.ReplicaIdentity;
import dev.sluice.journal.TableSchema;
import dev.sluice.journal.ValueKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlDialectTest {
  private static final TableSchema ODD =
      new TableSchema(
          1,
          new TableName("public", "Order Items"),
          List.of(
              Column.of("select", "integer", ValueKind.INT32).asKey(0),
              Column.of("it's \"x\"", "text", ValueKind.TEXT)),
          ReplicaIdentity.DEFAULT);

  private static TableMapping mapping(Dialect dialect) {
    RuleConfig rule =
        new ConfigLoader(Map.of())
            .parse(
                "source: { url: jdbc:postgresql://h/db }\ntargets: { t: { url: 'jdbc:sqlite:x' } }\nrules: [ { name: r, target: t } ]",
                "t",
                Path.of("/"),
                null)
            .rules()
            .get(0);
    return TableMapping.of(rule, dialect, ODD);
  }

  @Test
  void identifiersAreAlwaysQuoted() {
    assertThat(SqlDialect.of(Dialect.POSTGRESQL).upsert(mapping(Dialect.POSTGRESQL), false))
        .isEqualTo(
            "INSERT INTO \"public\".\"Order Items\" (\"select\", \"it's \"\"x\"\"\") VALUES (?, ?) ON CONFLICT (\"select\")"
                + " DO UPDATE SET \"it's \"\"x\"\"\" = EXCLUDED.\"it's \"\"x\"\"\"");
    assertThat(SqlDialect.of(Dialect.MYSQL).delete(mapping(Dialect.MYSQL), false))
        .isEqualTo("DELETE FROM `Order Items` WHERE `select` = ?");
  }

  @Test
  void anAddedColumnGetsTheValueExistingRowsHaveAsItsDefaultInEachDialect() {
    Column status = Column.of("status", "text", ValueKind.TEXT).withDefaultText("it's a\\b");
    Column price = Column.of("price", "numeric(12,2)", ValueKind.DECIMAL).withDefaultText("1.50");
    Column flag = Column.of("flag", "boolean", ValueKind.BOOLEAN).withDefaultText("t");

    assertThat(SqlDialect.of(Dialect.POSTGRESQL).addColumn(mapping(Dialect.POSTGRESQL), status))
        .endsWith("ADD COLUMN \"status\" text DEFAULT 'it''s a\\b'::text");
    assertThat(SqlDialect.of(Dialect.MYSQL).addColumn(mapping(Dialect.MYSQL), status))
        .endsWith("ADD COLUMN `status` LONGTEXT DEFAULT ('it''s a\\\\b')");
    assertThat(SqlDialect.of(Dialect.MYSQL).addColumn(mapping(Dialect.MYSQL), price))
        .endsWith("DECIMAL(12,2) DEFAULT '1.50'");
    assertThat(SqlDialect.of(Dialect.SQLITE).addColumn(mapping(Dialect.SQLITE), price))
        .endsWith("\"price\" TEXT DEFAULT '1.50'");
    assertThat(SqlDialect.of(Dialect.SQLITE).addColumn(mapping(Dialect.SQLITE), flag))
        .endsWith("\"flag\" INTEGER DEFAULT 1");
  }

  @Test
  void aDefaultThatATargetCannotBeGivenIsLeftOutAndNoneIsInvented() {
    Column nan = Column.of("x", "double precision", ValueKind.FLOAT64).withDefaultText("NaN");
    Column day = Column.of("d", "date", ValueKind.DATE).withDefaultText("2026-11-20");
    Column plain = Column.of("p", "integer", ValueKind.INT32);

    assertThat(SqlDialect.of(Dialect.MYSQL).addColumn(mapping(Dialect.MYSQL), nan))
        .doesNotContain("DEFAULT");
    assertThat(SqlDialect.of(Dialect.SQLITE).addColumn(mapping(Dialect.SQLITE), day))
        .doesNotContain("DEFAULT");
    assertThat(SqlDialect.of(Dialect.POSTGRESQL).addColumn(mapping(Dialect.POSTGRESQL), day))
        .endsWith("date DEFAULT '2026-11-20'::date");
    assertThat(SqlDialect.of(Dialect.POSTGRESQL).addColumn(mapping(Dialect.POSTGRESQL), plain))
        .doesNotContain("DEFAULT");
  }

  @Test
  void newerWinsOnlyOverwritesOlderRows() {
    assertThat(SqlDialect.of(Dialect.SQLITE).upsert(mapping(Dialect.SQLITE), true))
        .endsWith(
            "WHERE \"_sluice_commit_time\" IS NULL OR \"_sluice_commit_time\" <= excluded.\"_sluice_commit_time\"");
    assertThat(SqlDialect.of(Dialect.MYSQL).upsert(mapping(Dialect.MYSQL), true))
        .contains(
            "IF(`Order Items`.`_sluice_commit_time` IS NULL OR `Order Items`.`_sluice_commit_time` <= VALUES(`_sluice_commit_time`)");
  }

  @Test
  void typeMappingsNameWhatIsExactConvertedOrLimited() {
    SqlDialect mysql = SqlDialect.of(Dialect.MYSQL);
    assertThat(mysql.map(Column.of("c", "numeric(40,10)", ValueKind.DECIMAL), false).targetType())
        .isEqualTo("DECIMAL(40,10)");
    assertThat(
            mysql
                .map(Column.of("c", "timestamp with time zone", ValueKind.TIMESTAMPTZ), false)
                .fidelity())
        .isEqualTo(Fidelity.LIMITED);
    assertThat(mysql.map(Column.of("c", "double precision", ValueKind.FLOAT64), false).fidelity())
        .isEqualTo(Fidelity.LIMITED);
    assertThat(
            SqlDialect.of(Dialect.POSTGRESQL)
                .map(Column.of("c", "numeric(40,10)", ValueKind.DECIMAL), false))
        .isEqualTo(dev.sluice.apply.TypeMapping.exact("numeric(40,10)"));
  }

  @Test
  void postgresArrayLiteralsEscapeTheirElements() {
    assertThat(
            PostgresDialect.arrayLiteral(
                java.util.Arrays.asList("a\"b", null, "c\\d"), ValueKind.TEXT))
        .isEqualTo("{\"a\\\"b\",NULL,\"c\\\\d\"}");
  }
}
