package dev.sluice.monitor.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The JSON mapping of the API and the state file: times as ISO-8601 instants ({@code
 * 2026-11-22T03:40:00.123Z}), durations as ISO-8601 durations ({@code PT2S}), nulls written,
 * unknown properties ignored when reading (so a newer state file still reads).
 */
public final class Json {
  private Json() {}

  /** A new, configured mapper (mappers are thread-safe once configured; share one). */
  public static ObjectMapper mapper() {
    return JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();
  }
}
