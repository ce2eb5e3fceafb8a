package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The sidecar's own command line, which does not carry the demo. */
class MainTest {
  @Test
  void askedForTheDemoItSaysWhereTheDemoIsWithTheUsageExitCode() {
    CommandLine cli = Main.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));

    int code = Main.execute(cli, "demo", "--rows", "10");

    assertThat(code).isEqualTo(ExitCode.USAGE);
    assertThat(err.toString())
        .contains("the demo is not in the sidecar's jar; run './sluice demo' in the repository");
    assertThat(cli.getSubcommands()).doesNotContainKey("demo").containsKey("run");
  }
}
