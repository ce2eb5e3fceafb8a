package dev.sluice.cli;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * Progress of a long command: on a terminal, one line redrawn in place with a bar, the rate and the
 * time left; elsewhere (logs, pipes), a plain line every few seconds. Not thread-safe.
 */
final class ProgressLine {
  private static final long TERMINAL_EVERY_NANOS = 200_000_000L;
  private static final long PLAIN_EVERY_NANOS = 5_000_000_000L;

  private final String what;
  private final PrintWriter out;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private long lastPrinted;
  private long total;
  private long done;

  ProgressLine(String what, PrintWriter out, boolean terminal) {
    this.what = what;
    this.out = out;
    this.terminal = terminal;
  }

  /** Whether standard output is a terminal. */
  static boolean isTerminal() {
    return System.console() != null;
  }

  /** Records progress; prints when it is time to. {@code total} may be 0 when unknown. */
  void update(long doneNow, long totalNow) {
    this.done = doneNow;
    this.total = totalNow;
    long now = System.nanoTime();
    if (now - lastPrinted >= (terminal ? TERMINAL_EVERY_NANOS : PLAIN_EVERY_NANOS)) {
      lastPrinted = now;
      print(false);
    }
  }

  /** Prints the final figures. */
  void finish() {
    print(true);
  }

  private void print(boolean last) {
    double seconds = Math.max(0.001, (System.nanoTime() - started) / 1e9);
    double rate = done / seconds;
    StringBuilder line = new StringBuilder();
    if (terminal) {
      line.append('\r');
    }
    line.append(what).append(' ');
    if (total > 0) {
      int width = 24;
      int filled = (int) Math.min(width, width * done / total);
      line.append('[').append("#".repeat(filled)).append(".".repeat(width - filled)).append("] ");
      line.append(String.format("%3d%% ", Math.min(100, 100 * done / total)));
    }
    line.append(String.format("%,d", done));
    if (total > 0) {
      line.append(String.format("/%,d", total));
    }
    line.append(String.format("  %,.0f/s", rate));
    if (total > 0 && rate > 0 && !last && done < total) {
      line.append("  ETA ").append(format(Duration.ofSeconds((long) ((total - done) / rate))));
    }
    if (last) {
      line.append("  in ").append(format(Duration.ofMillis((long) (seconds * 1000))));
    }
    if (terminal && !last) {
      line.append("   ");
      out.print(line);
    } else {
      out.println(line);
    }
    out.flush();
  }

  private static String format(Duration duration) {
    long s = duration.toSeconds();
    return s >= 3600
        ? String.format("%dh%02dm", s / 3600, s / 60 % 60)
        : s >= 60
            ? String.format("%dm%02ds", s / 60, s % 60)
            : duration.toMillis() < 10_000
                ? String.format("%.1fs", duration.toMillis() / 1000.0)
                : s + "s";
  }
}
