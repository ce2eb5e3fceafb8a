package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice replay} of the same range twice: the second run changes nothing on any target. */
class ReplayIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("replay");
  private static final Pattern POSITION = Pattern.compile("\"position\":\"([0-9]+:[0-9]+)\"");

  @TempDir Path dir;

  @Test
  void replayingTheSameRangeTwiceLeavesEveryTargetAsTheFirstReplayLeftIt() throws Exception {
    try (FaultRig rig = FaultRig.create(PG.cluster(), PG.cluster(), "replay", dir, "")) {
      rig.sql(
          Workload.TABLE, "INSERT INTO t(v, note) SELECT g, 'snap' FROM generate_series(1, 300) g");
      try (SluiceProcess sluice = rig.run()) {
        FaultRig.awaitRunning(sluice);
        for (int i = 1; i <= 20; i++) {
          rig.sql(
              "INSERT INTO t(v, note) SELECT g, 'round " + i + "' FROM generate_series(1, 20) g",
              "UPDATE t SET v = v + 1, note = 'updated in " + i + "' WHERE id % 7 = " + (i % 7),
              "DELETE FROM t WHERE id % 31 = " + i);
        }
        rig.assertTargetsEqualAndNoDuplicates();
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
      List<String> positions = positions(rig);
      String from = positions.get(positions.size() / 3);
      String to = positions.get(2 * positions.size() / 3);

      for (String rule : FaultRig.RULES) {
        List<List<String>> current = rows(rig, rule);
        CliRun first = replay(rig, rule, from, to);
        List<List<String>> afterFirst = rows(rig, rule);
        CliRun second = replay(rig, rule, from, to);
        List<List<String>> afterSecond = rows(rig, rule);

        assertThat(afterFirst)
            .as(
                "%s: the first replay takes the replayed rows back to the range's end; it said:%n%s",
                rule, first.out())
            .isNotEqualTo(current);
        assertThat(afterSecond)
            .as("%s: the second replay changes nothing", rule)
            .isEqualTo(afterFirst);
        assertThat(first.out()).isNotBlank();
        assertThat(second.out()).isNotBlank();
        replay(rig, rule, to, null); // the rest of the journal: the target is current again
      }
      try (SluiceProcess sluice = rig.run()) {
        FaultRig.awaitRunning(sluice);
        // a change for every rule to apply: verify settles once a rule applied past the journal's
        // end as of its start, which an idle source never gives it
        rig.sql("UPDATE t SET note = 'after the replays' WHERE id = (SELECT min(id) FROM t)");
        rig.assertTargetsEqualAndNoDuplicates();
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
    }
  }

  private static CliRun replay(FaultRig rig, String rule, String from, String to) {
    List<String> args =
        new ArrayList<>(
            List.of("replay", "-c", rig.config.toString(), "--rule", rule, "--from", from));
    if (to != null) {
      args.addAll(List.of("--to", to));
    }
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertThat(run.exitCode()).as("replay %s:\n%s%s", rule, run.out(), run.err()).isZero();
    return run;
  }

  private static List<String> positions(FaultRig rig) {
    CliRun tail =
        CliRun.of(
            "tail", "--journal", rig.dir.resolve("journal").toString(), "--table", "public.t");
    assertThat(tail.exitCode()).as(tail.err()).isZero();
    List<String> positions = new ArrayList<>();
    Matcher m = POSITION.matcher(tail.out());
    while (m.find()) {
      positions.add(m.group(1));
    }
    assertThat(positions).hasSizeGreaterThan(100);
    return positions;
  }

  /** Every row of {@code t} on the rule's target, in key order, as text. */
  private static List<List<String>> rows(FaultRig rig, String rule) throws SQLException {
    try (Connection c = connect(rig, rule);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, v, note FROM t ORDER BY id")) {
      List<List<String>> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(List.of(rs.getString(1), rs.getString(2), String.valueOf(rs.getString(3))));
      }
      return rows;
    }
  }

  private static Connection connect(FaultRig rig, String rule) throws SQLException {
    return switch (rule) {
      case "to-pg" -> rig.pgTargetConnection();
      case "to-maria" -> rig.maria();
      default -> DriverManager.getConnection("jdbc:sqlite:" + rig.dir.resolve("lite.db"));
    };
  }
}
