package dev.sluice.cli;

import dev.sluice.config.SluiceConfig;
import dev.sluice.topology.AppliedPositions;
import dev.sluice.topology.RejoinOptions;
import dev.sluice.topology.RejoinResult;
import dev.sluice.topology.Topology;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice rejoin -c FILE --group G --node N --data-dir DIR [--pg-bin DIR] [--no-start]}. */
@Command(
    name = "rejoin",
    mixinStandardHelpOptions = true,
    description = {
      "Make a former master a streaming standby of its group's new master.",
      "Runs on the former master's machine, as the user owning its data directory. Stops it when"
          + " it runs, then rewinds the data directory with pg_rewind when one of its major version"
          + " is found (--pg-bin, then PATH), or else copies the new master's data directory over"
          + " SQL (needs a superuser there); its own configuration files are kept. Writes"
          + " standby.signal, primary_conninfo and a physical slot sluice_<node> on the new master,"
          + " then starts it with pg_ctl when one was found.",
      "Exit codes: 0 rejoined, 1 the new master unreachable or a step failed, 2 bad input."
    })
final class RejoinCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(names = "--group", required = true, paramLabel = "G", description = "The group.")
  String group;

  @Option(names = "--node", required = true, paramLabel = "N", description = "The former master.")
  String node;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "The former master's data directory, on this machine (it is rewritten).")
  Path dataDir;

  @Option(
      names = "--pg-bin",
      paramLabel = "DIR",
      description = "Where pg_rewind and pg_ctl of the node's major version are (default: PATH).")
  Path pgBin;

  @Option(
      names = "--no-start",
      description = "Leave the node stopped (start it with your service manager).")
  boolean noStart;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    org.slf4j.MDC.put("group", group); // every log line of this command names the replica
    org.slf4j.MDC.put("replica", node);
    PrintWriter out = spec.commandLine().getOut();
    SluiceConfig loaded = config.load();
    try (Topology topology =
        Topology.start(
            loaded,
            AppliedPositions.NONE,
            e -> PromoteCommand.print(out, e),
            Topology.Options.oneShot())) {
      RejoinResult r =
          topology.rejoin(group, node, new RejoinOptions(dataDir, pgBin, null, !noStart));
      out.printf(
          "%s rejoined group %s as a standby of %s by %s in %d ms%n",
          r.node(),
          r.group(),
          r.master(),
          r.method().name().toLowerCase(Locale.ROOT).replace('_', '-'),
          r.took().toMillis());
      out.println("  why: " + r.why());
      out.println(
          r.started()
              ? "  started: it streams from " + r.master()
              : "  not started: start it (pg_ctl or your service manager); it will stream from "
                  + r.master());
      out.flush();
      return ExitCode.OK;
    }
  }
}
