package dev.sluice.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The report as JSON: every sample, its median and range, the ratios, the checks, the machine and
 * the settings. Field names are the contract of the results file ({@code --out}; see
 * docs/performance.md).
 */
public final class ReportJson {
  private static final JsonFactory JSON = new JsonFactory();

  private ReportJson() {}

  public static String toJson(Report report) {
    StringWriter text = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(text)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("started", report.started().toString());
      g.writeNumberField("seconds", report.seconds());
      g.writeStringField("mode", report.mode());
      g.writeStringField("command", report.command());
      Machine m = report.machine();
      g.writeObjectFieldStart("machine");
      g.writeNumberField("cpus", m.cpus());
      g.writeNumberField("memoryMegabytes", m.memoryMegabytes());
      g.writeStringField("cpuModel", m.cpuModel());
      g.writeStringField("java", m.java());
      g.writeStringField("os", m.os());
      g.writeEndObject();
      BenchSettings s = report.settings();
      g.writeObjectFieldStart("settings");
      g.writeNumberField("repetitions", s.repetitions());
      g.writeNumberField("rows", s.rows());
      g.writeNumberField("rowsPerTransaction", s.rowsPerTransaction());
      g.writeNumberField("latencyRatePerSecond", s.latencyRatePerSecond());
      g.writeNumberField("latencySeconds", s.latencySeconds());
      g.writeNumberField("targetRows", s.targetRows());
      g.writeNumberField("backlogRows", s.backlogRows());
      g.writeBooleanField("warmUp", s.warmUp());
      g.writeEndObject();
      g.writeArrayFieldStart("measurements");
      for (Measurement x : report.measurements()) {
        g.writeStartObject();
        g.writeStringField("scenario", x.scenario());
        g.writeStringField("subject", x.subject());
        g.writeStringField("metric", x.metric());
        g.writeBooleanField("higherIsBetter", x.higherIsBetter());
        Stats st = x.stats();
        g.writeNumberField("median", st.median());
        g.writeNumberField("min", st.min());
        g.writeNumberField("max", st.max());
        g.writeArrayFieldStart("samples");
        for (double v : x.samples()) {
          g.writeNumber(v);
        }
        g.writeEndArray();
        g.writeStringField("note", x.note());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("comparisons");
      for (Comparison c : report.comparisons()) {
        g.writeStartObject();
        g.writeStringField("scenario", c.scenario());
        g.writeStringField("metric", c.metric());
        g.writeStringField("sluice", c.sluice().subject());
        g.writeStringField("baseline", c.baseline().subject());
        g.writeNumberField("ratio", c.ratio());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("checks");
      for (Check c : report.checks()) {
        g.writeStartObject();
        g.writeStringField("scenario", c.scenario());
        g.writeStringField("subject", c.subject());
        g.writeStringField("what", c.what());
        g.writeNumberField("expected", c.expected());
        g.writeNumberField("actual", c.actual());
        g.writeBooleanField("passed", c.passed());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("notes");
      for (String note : report.notes()) {
        g.writeString(note);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text + "\n";
  }

  /** Writes the report atomically (a temporary file beside it, then a rename). */
  public static void write(Report report, Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path temp = Files.createTempFile(parent, ".bench-", ".json");
      Files.writeString(temp, toJson(report));
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
