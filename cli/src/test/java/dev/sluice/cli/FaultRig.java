package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalReader;
import dev.sluice.journal.Op;
import dev.sluice.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * One fault scenario's world: a source database of its own on the test class's cluster, and three
 * targets — a PostgreSQL database (on {@code pgTarget}), a MariaDB database on the local server and
 * a SQLite file — with one {@code cdc} rule each ({@code to-pg}, {@code to-maria}, {@code
 * to-lite}). {@link #assertTargetsEqualAndNoDuplicates()} is how every scenario ends.
 */
final class FaultRig implements AutoCloseable {
  static final List<String> RULES = List.of("to-pg", "to-maria", "to-lite");

  final PostgresCluster source;
  final PostgresCluster pgTarget;
  final String name;
  final Path dir;
  final Path config;
  final Path log;
  private final String mariaDatabase;
  private Path journalDir;

  private FaultRig(PostgresCluster source, PostgresCluster pgTarget, String name, Path dir) {
    this.source = source;
    this.pgTarget = pgTarget;
    this.name = name;
    this.dir = dir;
    this.config = dir.resolve("sluice.yaml");
    this.log = dir.resolve("sluice.log");
    this.mariaDatabase = "sluice_faults_" + name + "_" + ProcessHandle.current().pid();
    this.journalDir = dir.resolve("journal");
  }

  /** Puts the journal in {@code relative} (to the rig's directory) instead of {@code journal}. */
  void relocateJournal(String relative) throws java.io.IOException {
    Files.writeString(
        config,
        Files.readString(config)
            .replace("journal: { dir: journal }", "journal: { dir: " + relative + " }"));
    journalDir = dir.resolve(relative);
  }

  /**
   * Creates database {@code name} on both clusters (and on MariaDB) and writes {@code sluice.yaml}.
   *
   * @param sourceExtra more keys of {@code source:}, e.g. {@code "tables: [public.t]"}, or empty
   */
  static FaultRig create(
      PostgresCluster source, PostgresCluster pgTarget, String name, Path dir, String sourceExtra)
      throws Exception {
    FaultRig rig = new FaultRig(source, pgTarget, name, dir);
    source.execute("CREATE DATABASE " + name);
    if (pgTarget != source) {
      pgTarget.execute("CREATE DATABASE " + name);
    }
    try (Connection maria = DriverManager.getConnection(rig.mariaUrl(""), "root", "");
        Statement s = maria.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + rig.mariaDatabase);
      s.execute("CREATE DATABASE " + rig.mariaDatabase);
    }
    String pgTargetUrl =
        pgTarget == source ? pgTarget.jdbcUrl(name + "_copy") : pgTarget.jdbcUrl(name);
    if (pgTarget == source) {
      source.execute("CREATE DATABASE " + name + "_copy");
    }
    Files.writeString(
        rig.config,
        """
        source: { url: '%s', slot: %s, heartbeat: 1s%s }
        journal: { dir: journal }
        monitor: { port: 0 }
        targets:
          pg: { url: '%s', user: postgres }
          maria: { url: '%s', user: root }
          lite: { url: 'jdbc:sqlite:lite.db' }
        rules:
          - { name: to-pg, target: pg }
          - { name: to-maria, target: maria }
          - { name: to-lite, target: lite }
        """
            .formatted(
                source.jdbcUrl(name),
                name,
                sourceExtra.isEmpty() ? "" : ", " + sourceExtra,
                pgTargetUrl,
                rig.mariaUrl(rig.mariaDatabase)));
    return rig;
  }

  String mariaUrl(String database) {
    return "jdbc:mariadb://127.0.0.1:3306/" + database;
  }

  Connection maria() throws SQLException {
    return DriverManager.getConnection(mariaUrl(mariaDatabase), "root", "");
  }

  Connection pgTargetConnection() throws SQLException {
    return pgTarget == source ? source.connect(name + "_copy") : pgTarget.connect(name);
  }

  void sql(String... statements) {
    source.executeIn(name, statements);
  }

  /** {@code sluice run -c sluice.yaml} as a child JVM with a 256 MB heap. */
  SluiceProcess run() {
    return SluiceProcess.start(List.of("-Xmx256m"), log, "run", "-c", config.toString());
  }

  /** Waits until the sidecar logs that it runs (capture and every rule started). */
  static void awaitRunning(SluiceProcess sluice) throws InterruptedException {
    awaitLog(sluice, "sluice is running", Duration.ofMinutes(3));
  }

  static void awaitLog(SluiceProcess sluice, String text, Duration timeout)
      throws InterruptedException {
    await(
        () -> {
          assertThat(sluice.isAlive()).as("sluice exited; log:\n" + sluice.log()).isTrue();
          return sluice.log().contains(text);
        },
        timeout,
        () -> "'" + text + "' in the log:\n" + sluice.log());
  }

  /** Polls {@code condition} every 100 ms until it holds or {@code timeout} passed. */
  static void await(
      BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> what)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what.get());
      }
      Thread.sleep(100);
    }
  }

  /** Rows of {@code table} through {@code connection}, 0 while the table does not exist yet. */
  static long count(Connection connection, String table) {
    try (Statement s = connection.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      return 0;
    }
  }

  /** {@code sluice verify} for one rule, in-process; the sidecar must run so that it settles. */
  CliRun verify(String rule) {
    return CliRun.of("verify", "-c", config.toString(), "--rule", rule, "--wait", "180s");
  }

  /**
   * Every rule's target equals the source ({@code sluice verify} exit 0), and the journal holds
   * every source change once (no change journaled twice, so none applied twice).
   */
  void assertTargetsEqualAndNoDuplicates() {
    assertTargetsEqual();
    assertJournalHoldsEveryChangeOnce();
  }

  /** Every rule's target equals the source ({@code sluice verify} exit 0). */
  void assertTargetsEqual() {
    for (String rule : RULES) {
      CliRun verify = verify(rule);
      assertThat(verify.exitCode())
          .as("sluice verify --rule %s:\n%s%s", rule, verify.out(), verify.err())
          .isZero();
      assertThat(verify.out()).contains("source and target are equal");
    }
  }

  void assertJournalHoldsEveryChangeOnce() {
    Set<String> seen = new HashSet<>();
    try (Journal journal = Journal.openReadOnly(journalDir);
        JournalReader reader = journal.reader()) {
      for (JournalEntry e = reader.next(); e != null; e = reader.next()) {
        if (e instanceof ChangeEvent c && c.op() != Op.READ && c.op() != Op.TRUNCATE) {
          String identity =
              c.source().lsn()
                  + " "
                  + c.txId()
                  + " "
                  + c.table()
                  + " "
                  + c.op()
                  + " "
                  + Arrays.deepToString(c.key());
          assertThat(seen.add(identity)).as("journaled twice: %s", identity).isTrue();
        }
      }
    }
  }

  @Override
  public void close() throws SQLException {
    try (Connection maria = DriverManager.getConnection(mariaUrl(""), "root", "");
        Statement s = maria.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + mariaDatabase);
    }
    // the slot keeps WAL on the shared cluster for as long as it exists
    if (source.isRunning()) {
      source.execute(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
              + " WHERE slot_name = '"
              + name
              + "' AND NOT active");
    }
  }
}
