package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testkit.Chromium;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a newcomer sees first: {@code sluice demo} as a child process, exactly as {@code ./sluice
 * demo} runs it, and its dashboard opened in a real headless Chromium the moment the demo prints
 * its address. From then until the workload is captured, applied and verified, the page never shows
 * an error (no error event, no rule's or capture's last error, never "failing"), though the mirror
 * rule copies the snapshot while the workload starts. The screenshot lands in {@code
 * demo/target/demo-dashboard.png}.
 */
class DemoDashboardIT {
  /** The flags the launcher gives the JVM through the jar's manifest. */
  private static final List<String> JVM_FLAGS =
      List.of(
          "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED");

  /**
   * Installed in the page before its own script runs: remembers the text of every error the page
   * shows, even one that disappears again.
   */
  private static final String ERROR_WATCH =
      """
      window.sluiceErrorsSeen = [];
      const errorShown = '#events li[data-type$=".error"], tr.rule-error, dd.error, .err,'
          + ' #health.pill-bad';
      const look = () => {
        for (const e of document.querySelectorAll(errorShown)) {
          const text = (e.id === 'health' ? 'health: ' : '') + e.textContent.trim().slice(0, 300);
          if (!window.sluiceErrorsSeen.includes(text)) window.sluiceErrorsSeen.push(text);
        }
      };
      document.addEventListener('DOMContentLoaded', () => {
        new MutationObserver(look).observe(document.documentElement, {
          subtree: true, childList: true, characterData: true, attributes: true,
          attributeFilter: ['class']
        });
        look();
      });
      """;

  @TempDir Path dir;

  @Test
  void theDemosDashboardShowsNoErrorFromItsFirstScreenOnWhileNothingIsWrong() throws Exception {
    Path log = dir.resolve("demo.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    command.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path")));
    command.add(DemoMain.class.getName());
    command.addAll(List.of("demo", "--rows", "4000", "--dir", dir.resolve("demo").toString()));
    Process demo =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
            .start();
    Output output = new Output(demo, log);
    try (Chromium chromium = Chromium.start(1600, 1000)) {
      String dashboard =
          output.await(line -> line.startsWith("  dashboard: "), Duration.ofMinutes(3)).strip();
      chromium.call("Page.enable", Map.of());
      chromium.call("Page.addScriptToEvaluateOnNewDocument", Map.of("source", ERROR_WATCH));
      chromium.navigate(URI.create(dashboard.substring("dashboard: ".length())));
      chromium.await(
          "location.href.startsWith('http') && Array.isArray(window.sluiceErrorsSeen)",
          Duration.ofSeconds(30));
      chromium.await("document.querySelectorAll('tr.rule').length === 3", Duration.ofSeconds(30));

      output.await(line -> line.startsWith("sluice demo: running;"), Duration.ofMinutes(5));
      chromium.await(
          "[...document.querySelectorAll('tr.rule')].every(r => r.textContent.includes('running'))",
          Duration.ofSeconds(30));
      JsonNode seen = chromium.evaluate("window.sluiceErrorsSeen");
      String events =
          chromium
              .evaluate(
                  "[...document.querySelectorAll('#events li')]"
                      + ".map(e => e.dataset.type + ' ' + e.querySelector('.msg').textContent)"
                      + ".join('\\n')")
              .asText();
      chromium.screenshot(Path.of("target", "demo-dashboard.png"));

      assertThat(seen).as("errors the page showed; its events:\n" + events).isEmpty();
      assertThat(events)
          .containsPattern("rule.sync.done snapshot copy into copy done: [1-9][0-9,]* rows copied")
          .doesNotContain(".error ");
      assertThat(chromium.evaluate("document.getElementById('health').textContent").asText())
          .isEqualTo("healthy");
    } finally {
      demo.destroy(); // SIGTERM, as Ctrl-C
      boolean exited = demo.waitFor(60, TimeUnit.SECONDS);
      if (!exited) {
        demo.destroyForcibly();
      }
      assertThat(exited).as("the demo stops on SIGTERM; its output:\n" + output).isTrue();
      assertThat(demo.exitValue()).as(output.toString()).isZero();
      assertThat(output.lines()).anyMatch(line -> line.startsWith("sluice demo: stopped"));
    }
    assertThat(Files.size(Path.of("target", "demo-dashboard.png"))).isGreaterThan(10_000);
  }

  /**
   * The demo's output, written to a file (a pipe would be closed by {@link Process#destroy()}
   * before the demo prints its last lines).
   */
  private record Output(Process process, Path log) {
    /** Waits for a line the demo prints; fails when the demo exits or the time is up first. */
    String await(Predicate<String> wanted, Duration timeout) throws InterruptedException {
      Instant deadline = Instant.now().plus(timeout);
      while (true) {
        Optional<String> line = lines().stream().filter(wanted).findFirst();
        if (line.isPresent()) {
          return line.get();
        }
        if (!process.isAlive() || Instant.now().isAfter(deadline)) {
          throw new AssertionError(
              (process.isAlive() ? "waited " + timeout : "the demo exited")
                  + "; its output:\n"
                  + this);
        }
        Thread.sleep(50);
      }
    }

    List<String> lines() {
      try {
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String toString() {
      return String.join("\n", lines());
    }
  }
}
