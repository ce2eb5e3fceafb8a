package dev.sluice.cli;

import dev.sluice.config.SluiceConfig;
import dev.sluice.journal.Journal;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice snapshot -c FILE}: make the next run read every captured table again. */
@Command(
    name = "snapshot",
    mixinStandardHelpOptions = true,
    description = {
      "Make the next 'sluice run' take a new snapshot (and re-create a dropped slot).",
      "Forgets the stored source position; the next run creates the slot when it is missing and"
          + " reads every captured table again into the journal, from where every rule re-applies it"
          + " (mirror rules also remove target rows that left the source). The sidecar must be"
          + " stopped."
    })
final class SnapshotCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    SluiceConfig loaded = config.load();
    try (Journal journal = Journal.open(loaded.journal())) {
      journal.writer(); // refuses while a sidecar writes this journal
      SnapshotRequest.write(loaded.journal().dir(), "requested by 'sluice snapshot'");
      out.println(
          "snapshot: the stored source position is forgotten; the next 'sluice run' re-creates the slot when it is"
              + " missing and reads every captured table again");
    }
    out.flush();
    return ExitCode.OK;
  }
}
