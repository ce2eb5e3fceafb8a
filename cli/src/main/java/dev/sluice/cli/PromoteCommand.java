package dev.sluice.cli;

import dev.sluice.config.SluiceConfig;
import dev.sluice.topology.AppliedPositions;
import dev.sluice.topology.CaptureHandover;
import dev.sluice.topology.PromotionResult;
import dev.sluice.topology.Topology;
import dev.sluice.topology.TopologyEvent;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice promote -c FILE --group G --node N [--force]}. */
@Command(
    name = "promote",
    mixinStandardHelpOptions = true,
    description = {
      "Make a streaming standby the master of its replica group.",
      "Refused while the node is further behind than its lagTolerance (the message gives both);"
          + " lagTolerance 0 means it must have replayed everything the master wrote. The old"
          + " master, when reachable, is fenced first (read-only, client sessions ended). Then"
          + " pg_promote(), and the running roles are written beside the state file, where a"
          + " running 'sluice run' picks them up.",
      "Exit codes: 0 promoted, 1 refused or a node unreachable, 2 bad group or node."
    })
final class PromoteCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(names = "--group", required = true, paramLabel = "G", description = "The group.")
  String group;

  @Option(names = "--node", required = true, paramLabel = "N", description = "The node.")
  String node;

  @Option(
      names = "--force",
      description =
          "Promote even when the node is over its lagTolerance (what it has not replayed is lost)"
              + " or the old master cannot be fenced.")
  boolean force;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    org.slf4j.MDC.put("group", group); // every log line of this command names the replica
    org.slf4j.MDC.put("replica", node);
    PrintWriter out = spec.commandLine().getOut();
    SluiceConfig loaded = config.load();
    try (Topology topology =
        Topology.start(
            loaded, AppliedPositions.NONE, e -> print(out, e), Topology.Options.oneShot())) {
      PromotionResult r = topology.promote(group, node, force);
      out.printf(
          "promoted %s to master of group %s: accepting writes %d ms after the command%n",
          r.node(), r.group(), r.took().toMillis());
      out.printf(
          "  old master %s: %s%n",
          r.previousMaster(), r.fencing().name().toLowerCase(Locale.ROOT).replace('_', '-'));
      out.printf(
          "  lag when promoted: %s bytes, %s ms%s%n",
          r.lagBytes(), r.lagMillis(), r.forced() ? " (forced over its lagTolerance)" : "");
      CaptureHandover capture = r.capture();
      if (capture.sourceMoved()) {
        out.println("  capture: " + capture.advice());
      }
      r.warnings().forEach(w -> out.println("  warning: " + w));
      out.println("  running roles written to " + topology.rolesFile());
      out.flush();
      return ExitCode.OK;
    }
  }

  static void print(PrintWriter out, TopologyEvent event) {
    if (event.type() != TopologyEvent.Type.ADDED) {
      out.println("  " + event.type().wireName() + " " + event.node() + ": " + event.message());
      out.flush();
    }
  }
}
