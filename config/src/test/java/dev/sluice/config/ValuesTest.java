package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValuesTest {

  @Test
  void durationsParseEveryDocumentedUnitAndPrintBack() {
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("0")).isZero();
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.format(Duration.ofDays(7))).isEqualTo("7d");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThatThrownBy(() -> Durations.parse("10 seconds")).hasMessageContaining("250ms, 10s");
  }

  @Test
  void sizesParseBinaryUnitsAndPrintTheLargestExactOne() {
    assertThat(ByteSize.parse("16MB").bytes()).isEqualTo(16L << 20);
    assertThat(ByteSize.parse("512KB").bytes()).isEqualTo(512L << 10);
    assertThat(ByteSize.parse("1gb").bytes()).isEqualTo(1L << 30);
    assertThat(ByteSize.parse("100").bytes()).isEqualTo(100);
    assertThat(ByteSize.ofBytes(1536 * 1024)).hasToString("1536KB");
    assertThatThrownBy(() -> ByteSize.parse("-1MB")).hasMessageContaining("not a size");
    assertThatThrownBy(() -> ByteSize.parse("99999999999999TB")).hasMessageContaining("too large");
  }

  @Test
  void lagToleranceIsATimeOrASizeAndZeroMeansCaughtUp() {
    assertThat(LagTolerance.parse("5s").allows(1L << 40, 5_000)).isTrue();
    assertThat(LagTolerance.parse("5s").allows(0, 5_001)).isFalse();
    assertThat(LagTolerance.parse("16MB").allows(16L << 20, Long.MAX_VALUE)).isTrue();
    assertThat(LagTolerance.parse("0").allows(0, 3_000)).isTrue();
    assertThat(LagTolerance.parse("0").allows(1, 0)).isFalse();
    assertThat(LagTolerance.parse("16MB")).hasToString("16MB");
  }

  @Test
  void tableNamesParseQuotedPartsAndPrintThemQuoted() {
    assertThat(TableName.parse("orders")).isEqualTo(new TableName("public", "orders"));
    assertThat(TableName.parse("\"My Schema\".\"Order \"\"Items\"\"\""))
        .isEqualTo(new TableName("My Schema", "Order \"Items\""));
    assertThat(new TableName("public", "Order Items")).hasToString("public.\"Order Items\"");
    assertThat(new TableName("sales", "orders")).hasToString("sales.orders");
    assertThatThrownBy(() -> TableName.parse("a.b.c")).hasMessageContaining("schema.table");
    assertThatThrownBy(() -> TableName.parse("\"open")).hasMessageContaining("unclosed quote");
  }

  @Test
  void tablePatternsMatchWildcardsInEitherPart() {
    assertThat(TablePattern.parse("inventory.*").matches(new TableName("inventory", "items")))
        .isTrue();
    assertThat(TablePattern.parse("inventory.*").matches(new TableName("public", "items")))
        .isFalse();
    assertThat(TablePattern.parse("*.audit_?").matches(new TableName("x", "audit_1"))).isTrue();
    assertThat(TablePattern.parse("orders").matches(new TableName("public", "orders"))).isTrue();
    assertThat(TablePattern.parse("a.b+c").matches(new TableName("a", "bbc"))).isFalse();
  }

  @Test
  void tablePatternsMatchNamesBeyondTheBasicPlaneAndWithQuotes() {
    TableName clef = new TableName("𝄞 music", "Scores \"𝄞\" ω");
    assertThat(TablePattern.parse(clef.toString()).matches(clef)).isTrue();
    assertThat(TablePattern.parse("\"𝄞 music\".*").matches(clef)).isTrue();
    assertThat(TablePattern.parse("\"𝄞 music\".\"Scores ? ω\"").matches(clef))
        .as("? stands for one character, also one beyond the basic plane")
        .isFalse();
    assertThat(TablePattern.parse("\"𝄞 music\".\"Scores \"\"?\"\" ω\"").matches(clef)).isTrue();
  }

  @Test
  void secretsPrintMasked() {
    assertThat(Secret.of("hunter2")).hasToString("<masked>");
    assertThat(String.valueOf(Secret.of("hunter2"))).doesNotContain("hunter2");
  }

  @Test
  void urlsAreMaskedInUserInfoAndParameters() {
    assertThat(Masking.maskUrl("mongodb://app:hunter2@db:27017/x"))
        .isEqualTo("mongodb://app:<masked>@db:27017/x");
    assertThat(Masking.maskUrl("jdbc:postgresql://db/app?user=a&password=hunter2&ssl=true"))
        .isEqualTo("jdbc:postgresql://db/app?user=a&password=<masked>&ssl=true");
  }

  @Test
  void postgresUrlsGiveHostPortDatabaseAndParameters() {
    PostgresUrl url = PostgresUrl.parse("jdbc:postgresql://[::1]:6543/my%20db?sslmode=require");
    assertThat(url.host()).isEqualTo("::1");
    assertThat(url.port()).isEqualTo(6543);
    assertThat(url.database()).isEqualTo("my db");
    assertThat(url.parameters()).containsEntry("sslmode", "require");
    assertThatThrownBy(() -> PostgresUrl.parse("jdbc:postgresql://a,b/app"))
        .hasMessageContaining("not a PostgreSQL URL");
  }

  @Test
  void dialectsAreRecognisedFromTheUrl() {
    assertThat(Dialect.ofUrl("jdbc:mariadb://h/db")).contains(Dialect.MYSQL);
    assertThat(Dialect.ofUrl("mongodb+srv://c/db")).contains(Dialect.MONGODB);
    assertThat(Dialect.ofUrl("jdbc:oracle:thin:@h")).isEmpty();
  }
}
