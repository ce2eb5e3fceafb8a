package dev.sluice.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.PostgresExtension;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every source type, with edge values, replicated into every dialect and read back: each value is
 * equal to the source's after the documented conversion (checked by {@link Verifier}, which is
 * itself shown to find a changed, a missing and an extra row). Values a target cannot hold stop the
 * rule with a message; nothing is stored mangled.
 */
class TypeMatrixIT {
  @RegisterExtension static final PostgresExtension SOURCE = new PostgresExtension("matrix-source");

  @RegisterExtension
  static final PostgresExtension PG_TARGET = new PostgresExtension("matrix-target");

  private static final String TABLE =
      """
      CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
      CREATE DOMAIN positive_amount AS numeric(12, 2) CHECK (VALUE > 0);
      CREATE TABLE everything (
        id int PRIMARY KEY,
        i2 int2, i4 int4, i8 int8, n numeric, n40 numeric(40, 10), n12 numeric(12, 2),
        f4 float4, f8 float8, t text, vc varchar(20), ch char(3), b bytea, flag bool,
        d date, tm time, ttz timetz, ts timestamp, tstz timestamptz, iv interval,
        u uuid, j json, jb jsonb, ia int[], ta text[],
        m mood, ip inet, net cidr, mac macaddr, money_col money, dom positive_amount
      )
      """;

  private static final String ROWS =
      """
      INSERT INTO everything VALUES
        (1, -32768, -2147483648, 9223372036854775807, -12.340, 123456789012345678901234567890.0123456789, 99.50,
         1.5, -2.25e-300, 'four-byte 😀, ümlaut', 'varchar', 'ab', '\\x00ff10', true,
         '2026-11-20', '23:59:59.999999', '10:15:30.123456+02', '2026-11-20 10:15:30.123456', '2026-11-20 10:15:30.654321+00',
         '1 year 2 months 3 days 04:05:06.789', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"a": [1, 2.50], "z": "x"}', '{"b": {"c": null}}',
         '{1,NULL,-3}', '{"x","y z",NULL}', 'happy', '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', '12.34', 1.05),
        (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
        (3, 32767, 2147483647, -9223372036854775808, 0, -0.0000000001, -0.01,
         0, 1e300, '', '', '   ', '\\x', false,
         '0001-01-01', '00:00:00', '00:00:00+00', '1970-01-01 00:00:00', '1999-12-31 23:59:59.999999+00',
         '0 seconds', '00000000-0000-0000-0000-000000000000', '[]', '{}', '{}', '{}', 'sad', '::1', '::/0', '00:00:00:00:00:00', '0', 0.01)
      """;

  static Stream<String> dialects() {
    return Stream.of("postgresql", "mariadb", "sqlite", "mongodb");
  }

  private static TestTarget target(String dialect) throws Exception {
    return switch (dialect) {
      case "postgresql" -> new TestTarget.Postgres(PG_TARGET.cluster());
      case "mariadb" -> new TestTarget.MariaDb();
      case "sqlite" -> new TestTarget.Sqlite();
      default -> new TestTarget.Mongo();
    };
  }

  private static Pipeline pipeline(TestTarget target) throws Exception {
    Pipeline p = new Pipeline(SOURCE.cluster());
    p.configure(
        """
        source: { url: "${SOURCE_URL}", slot: "${SLOT}", heartbeat: 1s }
        journal: { dir: "${DIR}/journal" }
        targets: { t: %s }
        rules: [ { name: r, target: t } ]
        """
            .formatted(target.yaml()));
    return p;
  }

  private static Verifier.Report verify(Pipeline p) throws Exception {
    return Verifier.verify(
        p.config,
        "r",
        Optional.of("public.everything"),
        Duration.ofSeconds(30),
        new Verifier.Progress() {
          @Override
          public void table(dev.sluice.config.TableName table, long estimatedRows) {}

          @Override
          public void rows(long compared) {}
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dialects")
  void everyTypeArrivesEqualAfterItsDocumentedConversion(String dialect) throws Exception {
    try (TestTarget target = target(dialect);
        Pipeline p = pipeline(target)) {
      p.sql(TABLE);
      p.start();
      p.sql(ROWS);
      if (dialect.equals("postgresql") || dialect.equals("mongodb")) {
        p.sql("INSERT INTO everything (id, n40, f4, f8) VALUES (4, 'NaN', 'Infinity', 'NaN')");
      }
      if (dialect.equals("postgresql")) {
        p.sql(
            "INSERT INTO everything (id, n, ts, tstz, d) VALUES (5, 'NaN', 'infinity', '-infinity', '4713-01-01 BC')");
      }
      p.flush(id -> target.has("flush_mark", id));

      Verifier.Report report = verify(p);

      assertThat(report.tables())
          .singleElement()
          .satisfies(
              t -> {
                assertThat(t.differences()).as("differences in %s", dialect).isEmpty();
                assertThat(t.sourceRows()).isEqualTo(t.targetRows()).isGreaterThanOrEqualTo(3);
              });
      assertThat(report.settled()).isTrue();
      spotCheck(dialect, target.rowsOf("everything").get(0));
    }
  }

  /** A few stored forms, as users will read them in each target. */
  private static void spotCheck(String dialect, Map<String, Object> first) {
    switch (dialect) {
      case "mariadb" -> {
        assertThat(first.get("n40").toString())
            .isEqualTo("123456789012345678901234567890.0123456789");
        assertThat(first.get("ts").toString()).isEqualTo("2026-11-20 10:15:30.123456");
        assertThat(first.get("ia").toString()).isEqualTo("[1,null,-3]");
      }
      case "sqlite" -> {
        assertThat(first.get("n")).isEqualTo("-12.340");
        assertThat(first.get("tstz")).isEqualTo("2026-11-20T10:15:30.654321Z");
        assertThat(first.get("flag")).isEqualTo(1);
      }
      case "mongodb" -> {
        assertThat(first.get("n12")).isInstanceOf(org.bson.types.Decimal128.class);
        assertThat(first.get("n40")).isEqualTo("123456789012345678901234567890.0123456789");
        assertThat(first.get("jb")).isInstanceOf(org.bson.Document.class);
        assertThat(first.get("_id")).isEqualTo(1);
      }
      default -> assertThat(first.get("ch")).isEqualTo("ab ");
    }
  }

  @Test
  void theVerifierFindsAChangedAMissingAndAnExtraRow() throws Exception {
    try (TestTarget.Sqlite target = new TestTarget.Sqlite();
        Pipeline p = pipeline(target)) {
      p.sql(TABLE);
      p.start();
      p.sql(ROWS);
      p.flush(id -> target.has("flush_mark", id));
      p.stopRules();
      target.execute("UPDATE everything SET t = 'tampered' WHERE id = 1");
      target.execute("DELETE FROM everything WHERE id = 2");
      target.execute("INSERT INTO everything (id) VALUES (77)");

      Verifier.Report report = verify(p);

      assertThat(report.equal()).isFalse();
      assertThat(report.tables().get(0).differences())
          .extracting(d -> d.kind() + " " + d.key())
          .containsExactly("DIFFERENT id=1", "MISSING id=2", "EXTRA id=77");
      assertThat(report.tables().get(0).differences().get(0).detail())
          .isEqualTo("t: source four-byte 😀, ümlaut, target tampered");
    }
  }

  @Test
  void aValueATargetCannotHoldStopsTheRuleWithAMessage() throws Exception {
    try (TestTarget.MariaDb target = new TestTarget.MariaDb();
        Pipeline p = pipeline(target)) {
      p.sql(TABLE);
      p.start();
      p.sql("INSERT INTO everything (id, f8) VALUES (1, 'NaN')");
      p.await(() -> p.status("r").state() == RuleState.FAILED, "the rule to stop");

      assertThat(p.status("r").lastError())
          .contains("NaN cannot be stored in MySQL (column f8)")
          .contains("key [1]");
    }
  }
}
