package dev.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report as a plain-text table (Markdown-compatible), as printed and put in
 * docs/performance.md.
 */
public final class ReportTable {
  private ReportTable() {}

  public static String format(Report report) {
    StringBuilder out = new StringBuilder();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"scenario", "subject", "metric", "median", "range", "n"});
    for (Measurement m : report.measurements()) {
      Stats s = m.stats();
      rows.add(
          new String[] {
            m.scenario(),
            m.subject(),
            m.metric(),
            number(s.median()),
            number(s.min()) + " – " + number(s.max()),
            Integer.toString(s.count())
          });
    }
    appendTable(out, rows);
    if (!report.comparisons().isEmpty()) {
      out.append('\n');
      List<String[]> ratios = new ArrayList<>();
      ratios.add(new String[] {"scenario", "metric", "Sluice vs", "ratio (>1: Sluice better)"});
      for (Comparison c : report.comparisons()) {
        ratios.add(
            new String[] {
              c.scenario(),
              c.metric(),
              c.baseline().subject(),
              String.format(Locale.ROOT, "%.2f×", c.ratio())
            });
      }
      appendTable(out, ratios);
    }
    long failed = report.checks().stream().filter(c -> !c.passed()).count();
    out.append('\n')
        .append(
            failed == 0
                ? "checks: " + report.checks().size() + " counts verified, all as expected\n"
                : "checks: " + failed + " of " + report.checks().size() + " counts WRONG\n");
    for (Check c : report.checks()) {
      if (!c.passed()) {
        out.append(
            String.format(
                Locale.ROOT,
                "  %s/%s: %s expected %,d, found %,d%n",
                c.scenario(),
                c.subject(),
                c.what(),
                c.expected(),
                c.actual()));
      }
    }
    return out.toString();
  }

  private static void appendTable(StringBuilder out, List<String[]> rows) {
    int columns = rows.get(0).length;
    int[] width = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      out.append('|');
      for (int i = 0; i < columns; i++) {
        String cell = rows.get(r)[i];
        boolean right = r > 0 && isNumeric(cell);
        String padded =
            right
                ? " ".repeat(width[i] - cell.length()) + cell
                : cell + " ".repeat(width[i] - cell.length());
        out.append(' ').append(padded).append(" |");
      }
      out.append('\n');
      if (r == 0) {
        out.append('|');
        for (int i = 0; i < columns; i++) {
          out.append('-').append("-".repeat(width[i])).append("-|");
        }
        out.append('\n');
      }
    }
  }

  private static boolean isNumeric(String cell) {
    return !cell.isEmpty() && (Character.isDigit(cell.charAt(0)) || cell.charAt(0) == '-');
  }

  /** Thousands separated above 1,000; one decimal from 10; two below. */
  static String number(double value) {
    double abs = Math.abs(value);
    if (abs >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    if (abs >= 10) {
      return String.format(Locale.ROOT, "%.1f", value);
    }
    return String.format(Locale.ROOT, "%.2f", value);
  }
}
