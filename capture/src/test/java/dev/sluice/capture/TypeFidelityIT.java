package dev.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.SnapshotMode;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Column;
import dev.sluice.journal.TableSchema;
import dev.sluice.journal.ValueKind;
import dev.sluice.journal.ValueText;
import dev.sluice.testkit.PostgresExtension;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every listed PostgreSQL type arrives in the journal with its exact value. */
class TypeFidelityIT {
  @RegisterExtension static final PostgresExtension SOURCE = new PostgresExtension("types-source");

  private static final String TABLE =
      """
      CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
      CREATE DOMAIN positive_amount AS numeric(12, 2) CHECK (VALUE > 0);
      CREATE TABLE everything (
        id int PRIMARY KEY,
        i2 int2, i4 int4, i8 int8,
        n numeric, n40 numeric(40, 10),
        f4 float4, f8 float8,
        t text, vc varchar(20), ch char(3),
        b bytea, flag bool,
        d date, tm time, ttz timetz, ts timestamp, tstz timestamptz, iv interval,
        u uuid, j json, jb jsonb,
        ia int[], ta text[],
        m mood, ip inet, net cidr, mac macaddr, money_col money, dom positive_amount
      )
      """;

  private static List<ChangeEvent> changes;

  @BeforeAll
  static void captureTheRows() throws Exception {
    CaptureFixture f = new CaptureFixture(SOURCE.cluster());
    try {
      f.sql(TABLE);
      f.start(f.source(SnapshotMode.NEVER, "everything"));
      f.sql(
          """
          INSERT INTO everything VALUES (1,
            -32768, -2147483648, 9223372036854775807,
            'NaN', 123456789012345678901234567890.0123456789,
            '-Infinity', '-0',
            'four-byte 😀 and ümlaut', 'varchar', 'ab',
            '\\x00ff10', true,
            '2026-11-20', '23:59:59.999999', '10:15:30.123456+02', '2026-11-20 10:15:30.123456', '2026-11-20 10:15:30.654321+00',
            '1 year 2 months 3 days 04:05:06.789',
            'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2.50]}', '{"b": {"c": null}}',
            '{1,NULL,-3}', '{"x","y z",NULL}',
            'happy', '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', '12.34', 99.95)
          """,
          "INSERT INTO everything (id) VALUES (2)",
          "INSERT INTO everything (id, f4, f8, n, d, ts) VALUES (3, 'Infinity', 'NaN', '-0.000000000000000000001', '0001-01-01', '1970-01-01 00:00:00')");
      f.sql(
          "INSERT INTO everything (id, d, ts, tstz) VALUES (4, 'infinity', 'infinity', 'infinity')",
          "INSERT INTO everything (id, d, ts, tstz) VALUES (5, '-infinity', '-infinity', '-infinity')");
      changes = f.awaitCount(5);
    } finally {
      f.close();
    }
  }

  private static Map<String, Object> row(int id) {
    ChangeEvent event =
        changes.stream().filter(c -> c.key()[0].equals(id)).findFirst().orElseThrow();
    Map<String, Object> row = new LinkedHashMap<>();
    List<Column> columns = event.schema().columns();
    for (int i = 0; i < columns.size(); i++) {
      row.put(columns.get(i).name(), event.after()[i]);
    }
    return row;
  }

  private static Column column(String name) {
    TableSchema schema = changes.get(0).schema();
    return schema.columns().get(schema.indexOf(name));
  }

  @Test
  void integersKeepTheirWidthAndExtremes() {
    Map<String, Object> row = row(1);
    assertThat(row.get("i2")).isEqualTo((short) -32768);
    assertThat(row.get("i4")).isEqualTo(Integer.MIN_VALUE);
    assertThat(row.get("i8")).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void numericsAreExactTextIncludingNaN() {
    assertThat(row(1).get("n")).isEqualTo("NaN");
    assertThat(row(1).get("n40")).isEqualTo("123456789012345678901234567890.0123456789");
    assertThat(row(3).get("n")).isEqualTo("-0.000000000000000000001");
    assertThat(column("n40").pgType()).isEqualTo("numeric(40,10)");
    assertThat(column("n40").kind()).isEqualTo(ValueKind.DECIMAL);
  }

  @Test
  void floatsKeepInfinitiesNaNAndNegativeZero() {
    assertThat(row(1).get("f4")).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(Double.doubleToRawLongBits((Double) row(1).get("f8")))
        .isEqualTo(Double.doubleToRawLongBits(-0.0));
    assertThat(row(3).get("f4")).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat((Double) row(3).get("f8")).isNaN();
  }

  @Test
  void textAndBytesAreUnchanged() {
    Map<String, Object> row = row(1);
    assertThat(row.get("t")).isEqualTo("four-byte 😀 and ümlaut");
    assertThat(row.get("vc")).isEqualTo("varchar");
    assertThat(row.get("ch")).isEqualTo("ab ");
    assertThat((byte[]) row.get("b")).containsExactly(0, 255, 16);
    assertThat(row.get("flag")).isEqualTo(true);
    assertThat(column("vc").pgType()).isEqualTo("character varying(20)");
  }

  @Test
  void datesAndTimesKeepMicroseconds() {
    Map<String, Object> row = row(1);
    assertThat(ValueText.date((Integer) row.get("d"))).isEqualTo("2026-11-20");
    assertThat(ValueText.time((Long) row.get("tm"))).isEqualTo("23:59:59.999999");
    assertThat(row.get("ttz")).as("read again from the source").isEqualTo("10:15:30.123456+02");
    assertThat(ValueText.timestamp((Long) row.get("ts"))).isEqualTo("2026-11-20T10:15:30.123456");
    assertThat(ValueText.timestampTz((Long) row.get("tstz")))
        .isEqualTo("2026-11-20T10:15:30.654321Z");
    assertThat(row.get("iv")).isEqualTo("P1Y2M3DT4H5M6.789S");
    assertThat(ValueText.date((Integer) row(3).get("d"))).isEqualTo("0001-01-01");
    assertThat(row(3).get("ts")).isEqualTo(0L);
    assertThat(column("tstz").kind()).isEqualTo(ValueKind.TIMESTAMPTZ);
  }

  @Test
  void documentTypesAndIdentifiersAreText() {
    Map<String, Object> row = row(1);
    assertThat(row.get("u")).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    assertThat(row.get("j")).isEqualTo("{\"a\": [1, 2.50]}");
    assertThat(row.get("jb")).isEqualTo("{\"b\": {\"c\": null}}");
    assertThat(column("j").kind()).isEqualTo(ValueKind.JSON);
    assertThat(column("u").kind()).isEqualTo(ValueKind.UUID);
  }

  @Test
  void arraysKeepTheirElementsAndNulls() {
    assertThat(row(1).get("ia")).isEqualTo("{1,NULL,-3}");
    assertThat(row(1).get("ta")).isEqualTo("{x,\"y z\",NULL}");
    assertThat(column("ia").elementKind()).isEqualTo(ValueKind.INT32);
    assertThat(column("ia").pgType()).isEqualTo("integer[]");
  }

  @Test
  void enumsNetworkTypesMoneyAndDomainsArrive() {
    Map<String, Object> row = row(1);
    assertThat(row.get("m")).isEqualTo("happy");
    assertThat(column("m").enumValues()).containsExactly("sad", "ok", "happy");
    assertThat(column("m").kind()).isEqualTo(ValueKind.ENUM);
    assertThat(row.get("ip")).isEqualTo("192.168.0.1/24");
    assertThat(row.get("net")).isEqualTo("10.0.0.0/8");
    assertThat(row.get("mac")).isEqualTo("08:00:2b:01:02:03");
    assertThat(row.get("money_col")).isEqualTo("12.34");
    assertThat(row.get("dom")).isEqualTo("99.95");
    assertThat(column("dom").pgType()).isEqualTo("numeric(12,2)");
  }

  @Test
  void infinitiesArriveAsTheExtremes() {
    assertThat(row(4).get("ts")).isEqualTo(Long.MAX_VALUE);
    assertThat(row(4).get("tstz")).isEqualTo(Long.MAX_VALUE);
    assertThat(row(4).get("d")).isEqualTo(Integer.MAX_VALUE);
    assertThat(row(5).get("ts")).isEqualTo(Long.MIN_VALUE);
    assertThat(row(5).get("tstz")).isEqualTo(Long.MIN_VALUE);
    assertThat(row(5).get("d")).isEqualTo(Integer.MIN_VALUE);
  }

  @Test
  void nullsArriveAsNullsEverywhere() {
    Map<String, Object> row = row(2);
    assertThat(row.get("id")).isEqualTo(2);
    assertThat(row.entrySet().stream().filter(e -> !e.getKey().equals("id")))
        .allSatisfy(e -> assertThat(e.getValue()).as(e.getKey()).isNull());
  }
}
