package dev.sluice.demo;

import dev.sluice.cli.Main;
import picocli.CommandLine;

/**
 * The {@code sluice} command line with {@code demo} added: what {@code ./sluice demo} runs. Every
 * other command behaves as in the sidecar's own jar.
 */
public final class DemoMain {
  private DemoMain() {}

  public static void main(String[] args) {
    System.exit(Main.execute(commandLine(), args));
  }

  /** The sidecar's command line with {@code demo}; callers may redirect its output. */
  public static CommandLine commandLine() {
    return Main.commandLine().addSubcommand(new DemoCommand());
  }
}
