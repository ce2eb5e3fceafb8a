package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.MonitorConfig;
import dev.sluice.config.SetupException;
import dev.sluice.config.SluiceConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice reload -c FILE}: the running sidecar reads its file again. */
@Command(
    name = "reload",
    mixinStandardHelpOptions = true,
    description = {
      "Make the running sidecar apply its configuration file again, without a restart.",
      "Validates the file first, as validate does (an invalid file changes nothing), then asks the"
          + " sidecar at monitor.host:monitor.port (POST /api/reload, with monitor.token) to read"
          + " it and apply the difference: rules added, removed or changed, targets, replica nodes,"
          + " lagTolerance, hysteresis, routing, source.tables. Keys that cannot change at run time"
          + " (the source's URL and slot, the journal, the monitor) are refused, naming each, and"
          + " nothing is changed. Prints what changed. SIGHUP to the sidecar does the same.",
      "Exit codes: 0 applied (or nothing differed), 1 no sidecar answers or it failed, 2 invalid"
          + " file or a key that needs a restart."
    })
final class ReloadCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    SluiceConfig loaded = config.load(); // an invalid file: every problem, exit 2
    MonitorConfig monitor = loaded.monitor();
    if (monitor.port() == 0) {
      throw new SetupException(
          "monitor.port is 0 (a free port picked at start), so the running sidecar cannot be"
              + " found: send it SIGHUP instead, or set monitor.port");
    }
    SidecarRequest answer =
        SidecarRequest.post(monitor, "/api/reload", String.valueOf(config.file), err);
    if (answer == null) {
      return ExitCode.FAILURE;
    }
    JsonNode body = answer.body();
    if (answer.status() == 200) {
      JsonNode changed = body.path("changed");
      if (changed.isEmpty()) {
        out.println("reloaded " + config.file + ": nothing differs from the running configuration");
      } else {
        out.println("reloaded " + config.file + ":");
        changed.forEach(line -> out.println("  " + line.asText()));
      }
      out.flush();
      return ExitCode.OK;
    }
    return answer.refused(err);
  }
}
