package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.SluiceConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice resync -c FILE --rule R}: a mirror copy of one rule's tables, now. */
@Command(
    name = "resync",
    mixinStandardHelpOptions = true,
    description = {
      "Make one rule's target tables equal to the source again, while the sidecar and its other"
          + " rules run.",
      "Asks the sidecar at monitor.host:monitor.port (POST /api/rules/{rule}/resync, with"
          + " monitor.token) for a resync: capture reads the rule's tables in a snapshot of their"
          + " own (streaming pauses while it reads), and the rule writes every row read and then"
          + " removes the target rows the source does not have. Rows changed or deleted on the"
          + " target behind Sluice's back are repaired. For cdc and mirror rules into a database."
          + " Prints the resync's id; /api/rules shows its progress.",
      "Exit codes: 0 asked for, 1 no sidecar answers or it failed, 2 invalid file, unknown rule,"
          + " a rule that cannot resync, or one already running."
    })
final class ResyncCommand implements Callable<Integer> {

  @Mixin ConfigOption config;

  @Option(
      names = "--rule",
      required = true,
      paramLabel = "RULE",
      description = "the rule to resync")
  String rule;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    SluiceConfig loaded = config.load(); // an invalid file: every problem, exit 2
    SidecarRequest answer =
        SidecarRequest.post(
            loaded.monitor(),
            "/api/rules/"
                + java.net.URLEncoder.encode(rule, java.nio.charset.StandardCharsets.UTF_8)
                    .replace("+", "%20")
                + "/resync",
            String.valueOf(config.file),
            err);
    if (answer == null) {
      return ExitCode.FAILURE;
    }
    if (answer.status() != 202) {
      return answer.refused(err);
    }
    JsonNode body = answer.body();
    List<String> tables = new ArrayList<>();
    body.path("tables").forEach(t -> tables.add(t.asText()));
    out.println(
        "resync "
            + body.path("id").asText()
            + " of rule "
            + rule
            + " asked for: capture reads "
            + String.join(", ", tables)
            + "; its progress is in /api/rules (resync.state)");
    out.flush();
    return ExitCode.OK;
  }
}
