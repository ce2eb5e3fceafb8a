package dev.sluice.capture.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampParsingTest {
  private static long general(String text) {
    OffsetDateTime time = OffsetDateTime.parse(text);
    return time.toEpochSecond() * 1_000_000L + time.getNano() / 1_000;
  }

  @Test
  void theEnginesUsualFormGivesWhatTheGeneralParserGives() {
    for (String text :
        List.of(
            "2026-11-22T06:49:18.899123Z",
            "2026-11-22T06:49:18Z",
            "2026-11-22T06:49:18.9Z",
            "2026-11-22T06:49:18.123456789Z",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999999Z",
            "1900-02-28T12:00:00.5Z",
            "2024-02-29T23:59:59.000001Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999Z")) {
      assertThat(RecordMapper.utcMicros(text)).as(text).isEqualTo(general(text));
      assertThat(RecordMapper.zonedMicros(text)).as(text).isEqualTo(general(text));
    }
  }

  @Test
  void randomInstantsInEveryPrecisionAgreeWithTheGeneralParser() {
    Random random = new Random(17);
    for (int i = 0; i < 20_000; i++) {
      long seconds = random.nextLong(-62_135_596_800L, 253_402_300_799L);
      int nanos = random.nextInt(1_000_000_000);
      String text = java.time.Instant.ofEpochSecond(seconds, nanos).toString();
      assertThat(RecordMapper.utcMicros(text)).as(text).isEqualTo(general(text));
    }
  }

  @Test
  void otherFormsAreLeftToTheGeneralParser() {
    for (String text :
        List.of(
            "2026-11-22T06:49:18+02:00",
            "+10000-01-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22T06:49:60Z",
            "2026-11-22T06:49:18.Z",
            "2026-11-22T06:49:18.1234567890Z",
            "2026-11-22 06:49:18Z",
            "2026-1x-22T06:49:18Z")) {
      assertThat(RecordMapper.utcMicros(text)).as(text).isEqualTo(Long.MIN_VALUE);
    }
    assertThat(RecordMapper.zonedMicros("2026-11-22T06:49:18.5+02:00"))
        .isEqualTo(general("2026-11-22T06:49:18.5+02:00"));
  }
}
