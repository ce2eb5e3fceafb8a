package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The demo's jar: the whole command line, with {@code demo}. */
class DemoMainTest {
  private static String run(CommandLine cli, StringWriter out, String... args) {
    cli.setOut(new PrintWriter(out, true));
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    return Main.execute(cli, args) + "\n" + out + err;
  }

  @Test
  void theDemosCommandLineHasDemoBesideTheSidecarsCommands() {
    String demo = run(DemoMain.commandLine(), new StringWriter(), "demo", "--help");
    String top = run(DemoMain.commandLine(), new StringWriter(), "--help");

    assertThat(demo).startsWith("0\n").contains("Usage: sluice demo", "--exit-when-done");
    assertThat(top).contains("  demo ", "  run ", "  tail ");
  }
}
