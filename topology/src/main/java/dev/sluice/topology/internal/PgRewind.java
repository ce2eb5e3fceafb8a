package dev.sluice.topology.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code pg_rewind} of a data directory from a running master. The master's password never appears
 * on the command line (where any local user reads it in {@code ps} or {@code /proc/PID/cmdline}):
 * it is written to a password file readable by its owner only, named to {@code pg_rewind} by the
 * {@code PGPASSFILE} environment variable, and deleted when {@code pg_rewind} ends.
 *
 * @param tool the {@code pg_rewind} to run
 */
record PgRewind(PgTool tool) {
  /**
   * Rewinds {@code dataDir} from {@code master}.
   *
   * @param applicationName how the master's sessions name this one
   * @param output receives what {@code pg_rewind} printed
   * @return its exit code, or -1 when it could not run or was killed after {@code timeoutSeconds}
   */
  int run(
      Path dataDir,
      Endpoint master,
      String applicationName,
      List<String> output,
      long timeoutSeconds)
      throws IOException {
    List<String> args =
        List.of(
            "--target-pgdata=" + dataDir,
            "--source-server=" + StandbySetup.conninfo(master, applicationName, false));
    if (master.password() == null) {
      return tool.run(args, Map.of(), output, timeoutSeconds);
    }
    Path passFile = OwnerOnlyFile.create("sluice-pgpass-", "");
    try {
      OwnerOnlyFile.write(
          passFile, passFileLine(master.password().reveal()).getBytes(StandardCharsets.UTF_8));
      return tool.run(args, Map.of("PGPASSFILE", passFile.toString()), output, timeoutSeconds);
    } finally {
      OwnerOnlyFile.deleteQuietly(passFile);
    }
  }

  /**
   * The one line of a password file that gives {@code password} to any server, database and user:
   * {@code pg_rewind} connects to the master alone. Backslashes and colons are escaped as libpq
   * reads them.
   */
  static String passFileLine(String password) {
    return "*:*:*:*:" + password.replace("\\", "\\\\").replace(":", "\\:") + "\n";
  }
}
