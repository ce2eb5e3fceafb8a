package dev.sluice.apply;

import dev.sluice.apply.internal.Canonical;
import dev.sluice.apply.internal.KeyedRows;
import dev.sluice.apply.internal.RowReaders;
import dev.sluice.apply.internal.TableMapping;
import dev.sluice.apply.internal.Target;
import dev.sluice.apply.internal.TargetReaders;
import dev.sluice.apply.internal.Targets;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.SetupException;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.SourceConfig;
import dev.sluice.config.TableName;
import dev.sluice.config.TablePattern;
import dev.sluice.config.TargetConfig;
import dev.sluice.config.internal.Suggestions;
import dev.sluice.journal.Column;
import dev.sluice.journal.Journal;
import dev.sluice.journal.PendingTables;
import dev.sluice.journal.TableSchema;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Compares a rule's source tables with its target, row by row, across dialects.
 *
 * <p>Both sides are read in key order and every value is brought to one canonical form that follows
 * the rule's documented conversions ({@link Canonical}). Rows are grouped in chunks of 1,000 source
 * keys; each chunk's digest is computed on each side, and only a chunk whose digests differ is
 * compared row by row. Rows are streamed, never all held.
 *
 * <p>Replication in flight: before comparing, the verifier takes the source's current WAL position
 * and waits (bounded) until capture has confirmed it and the rule's checkpoint has applied the
 * journal up to it ("settled"). When rows differ, it settles again and compares the differing
 * tables once more, up to {@value #RECHECKS} times or until the same rows differ twice in a row,
 * counting only rows that differed in every pass: a row a busy source changed while it was read
 * differs in one pass by chance, a real difference in all of them.
 */
public final class Verifier {
  private static final int CHUNK = 1000;
  private static final int MAX_LISTED = 100;

  /**
   * How many times differing tables are compared again after replication caught up once more. A row
   * that a busy source changes while it is compared differs in one pass by chance; a row that
   * really differs does so in every pass.
   */
  private static final int RECHECKS = 6;

  /** How many differing keys per table a re-check follows; beyond, every row is compared again. */
  private static final int MAX_TRACKED = 100_000;

  private Verifier() {}

  /** A row that differs. */
  public enum DifferenceKind {
    /** On the source, not on the target. */
    MISSING,
    /** On the target, not on the source. */
    EXTRA,
    /** On both, with other values. */
    DIFFERENT
  }

  /**
   * @param kind how it differs
   * @param key the row's key, {@code column=value, ...}
   * @param detail for a different row, the first differing column and both values
   */
  public record Difference(DifferenceKind kind, String key, String detail) {}

  /**
   * @param table the source table
   * @param target the target table or collection
   * @param sourceRows rows read from the source
   * @param targetRows rows read from the target
   * @param chunks chunks compared
   * @param differingChunks chunks whose digests differed
   * @param differences the differences (at most 100 are listed)
   * @param differenceCount how many there are
   */
  public record TableReport(
      TableName table,
      String target,
      long sourceRows,
      long targetRows,
      long chunks,
      long differingChunks,
      List<Difference> differences,
      long differenceCount) {

    public boolean equal() {
      return differenceCount == 0;
    }
  }

  /**
   * @param rule the rule
   * @param tables one report per table
   * @param took how long it took, waiting for replication included
   * @param settled whether replication was caught up when comparing
   * @param note why it was not, or empty
   * @param compared rows read on both sides in every pass (re-checks included)
   * @param comparing the time spent reading and comparing them
   */
  public record Report(
      String rule,
      List<TableReport> tables,
      Duration took,
      boolean settled,
      String note,
      long compared,
      Duration comparing) {
    public boolean equal() {
      return tables.stream().allMatch(TableReport::equal);
    }

    public long rows() {
      return tables.stream().mapToLong(t -> t.sourceRows() + t.targetRows()).sum();
    }

    /** The comparison's rate: rows read on both sides per second of reading and comparing. */
    public double rowsPerSecond() {
      return comparing.toMillis() == 0 ? compared : compared * 1000.0 / comparing.toMillis();
    }
  }

  /** Receives progress. */
  public interface Progress {
    void table(TableName table, long estimatedRows);

    void rows(long compared);

    /** What the verifier waits for, said once when a wait begins (replication catching up). */
    default void waiting(String what) {}
  }

  /**
   * Verifies a rule.
   *
   * @param table only this table (pattern), or empty for all the rule's tables
   * @param settleTimeout how long to wait for replication to catch up (then compare anyway)
   * @throws SetupException on an unknown rule or table, or a missing journal
   */
  public static Report verify(
      SluiceConfig config,
      String ruleName,
      Optional<String> table,
      Duration settleTimeout,
      Progress progress)
      throws SQLException, TargetException {
    RuleConfig rule =
        config
            .rule(ruleName)
            .orElseThrow(
                () ->
                    new SetupException(
                        "unknown rule '"
                            + ruleName
                            + "'"
                            + Suggestions.didYouMean(
                                ruleName, config.rules().stream().map(RuleConfig::name).toList())));
    TargetConfig target = config.targetOf(rule);
    Instant started = Instant.now();
    try (Journal journal = Journal.openReadOnly(config.journal().dir())) {
      tables(config, rule, journal, table); // an unknown --table is refused before any wait
    }
    try (Connection source = connect(config.source());
        Target checkpoints = Targets.connect(target)) {
      String note = settle(config, rule, source, checkpoints, settleTimeout, progress);
      List<TableSchema> schemas;
      try (Journal journal = Journal.openReadOnly(config.journal().dir())) {
        schemas = tables(config, rule, journal, table); // with those that arrived meanwhile
      }
      if (schemas.isEmpty()) {
        throw new SetupException(
            "rule "
                + rule.name()
                + " has no table in the journal yet, so there is nothing to compare (a table"
                + " appears there with its first captured change or snapshot; is 'sluice run'"
                + " running?)");
      }
      Map<TableName, Pass> passes = new LinkedHashMap<>();
      long compared = 0;
      Instant comparing = Instant.now();
      for (Pass pass : compare(config, rule, target, source, schemas, Map.of(), progress)) {
        passes.put(pass.report().table(), pass);
        compared += pass.report().sourceRows() + pass.report().targetRows();
      }
      Duration comparingTook = Duration.between(comparing, Instant.now());
      for (int round = 1; round <= RECHECKS && note.isEmpty(); round++) {
        List<TableSchema> differing = new ArrayList<>();
        Map<TableName, Set<String>> suspects = new LinkedHashMap<>();
        for (TableSchema schema : schemas) {
          Pass pass = passes.get(schema.table());
          if (!pass.report().equal()) {
            differing.add(schema);
            suspects.put(schema.table(), pass.keys());
          }
        }
        if (differing.isEmpty()) {
          break;
        }
        long count = suspects.values().stream().mapToLong(k -> k == null ? 0 : k.size()).sum();
        progress.waiting(
            String.format(
                "re-checking %,d differing rows in %d table%s (round %d of at most %d): they may"
                    + " be changes still in flight",
                count, differing.size(), differing.size() == 1 ? "" : "s", round, RECHECKS));
        note = settle(config, rule, source, checkpoints, settleTimeout, progress);
        boolean unchanged = true;
        comparing = Instant.now();
        List<Pass> rechecked = compare(config, rule, target, source, differing, suspects, progress);
        comparingTook = comparingTook.plus(Duration.between(comparing, Instant.now()));
        for (Pass again : rechecked) {
          compared += again.report().sourceRows() + again.report().targetRows();
          Pass before = passes.put(again.report().table(), again);
          unchanged &= before.keys() != null && before.keys().equals(again.keys());
        }
        if (unchanged) {
          break; // the same rows differ twice in a row after catching up: real differences
        }
      }
      List<TableReport> reports = passes.values().stream().map(Pass::report).toList();
      return new Report(
          rule.name(),
          reports,
          Duration.between(started, Instant.now()),
          note.isEmpty(),
          note,
          compared,
          comparingTook);
    }
  }

  /**
   * One table compared once: its report, and the keys of every differing row (null when there were
   * more than {@value #MAX_TRACKED}).
   */
  private record Pass(TableReport report, Set<String> keys) {}

  /** The latest schema of each table the rule covers. */
  private static List<TableSchema> tables(
      SluiceConfig config, RuleConfig rule, Journal journal, Optional<String> only) {
    Map<TableName, TableSchema> latest = new LinkedHashMap<>();
    for (TableSchema schema : journal.schemas()) {
      if (rule.covers(schema.table())
          && config.source().captures(schema.table())
          && schema.hasKey()) {
        latest.put(schema.table(), schema);
      }
    }
    if (only.isPresent()) {
      TablePattern pattern;
      try {
        pattern = TablePattern.parse(only.get());
      } catch (IllegalArgumentException e) {
        throw new SetupException("--table " + only.get() + ": " + e.getMessage());
      }
      latest.keySet().removeIf(t -> !pattern.matches(t));
      if (latest.isEmpty()) {
        throw new SetupException(
            "rule "
                + rule.name()
                + " has no table matching "
                + only.get()
                + " in the journal (its tables: "
                + String.join(
                    ", ",
                    tables(config, rule, journal, Optional.empty()).stream()
                        .map(s -> s.table().toString())
                        .toList())
                + ")");
      }
    }
    return new ArrayList<>(latest.values());
  }

  private static Connection connect(SourceConfig source) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", source.user());
    if (source.password() != null) {
      properties.setProperty("password", source.password().reveal());
    }
    properties.setProperty("ApplicationName", "sluice verify");
    String seconds =
        Integer.toString(dev.sluice.config.Durations.ceilSeconds(source.connectTimeout()));
    properties.setProperty("connectTimeout", seconds);
    properties.setProperty("loginTimeout", seconds);
    return DriverManager.getConnection(source.url(), properties);
  }

  /**
   * Waits for a consistent point: takes the source's current WAL position, waits until capture has
   * confirmed it (the journal then holds every change committed before it), then until the rule's
   * checkpoint has reached the journal's end as it was at that moment. Changes committed later may
   * still be in flight; the re-checks take care of those.
   *
   * @return empty when settled, else why not
   */
  private static String settle(
      SluiceConfig config,
      RuleConfig rule,
      Connection source,
      Target checkpoints,
      Duration timeout,
      Progress progress)
      throws SQLException, TargetException {
    source.setAutoCommit(true);
    long lsn;
    try (Statement statement = source.createStatement();
        ResultSet rs = statement.executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
      rs.next();
      lsn = rs.getLong(1);
    }
    Instant deadline = Instant.now().plus(timeout);
    long journalEnd = Long.MIN_VALUE;
    boolean told = false;
    while (true) {
      // read before the journal's end: the list is emptied only once the snapshot is journaled
      List<TableName> pending =
          PendingTables.read(config.journal().dir()).stream().filter(rule::covers).toList();
      if (journalEnd == Long.MIN_VALUE
          && pending.isEmpty()
          && confirmedFlushLsn(config, source) >= lsn) {
        try (Journal journal = Journal.openReadOnly(config.journal().dir())) {
          journalEnd = journal.lastPosition();
        }
      }
      long applied = checkpoints.checkpoint(rule.name()).map(Checkpoint::position).orElse(-1L);
      if (journalEnd != Long.MIN_VALUE && applied >= journalEnd) {
        return "";
      }
      if (Instant.now().isAfter(deadline)) {
        return (!pending.isEmpty()
                ? "the earlier rows of "
                    + String.join(", ", pending.stream().map(TableName::toString).toList())
                    + " (added to capture while it ran) are not in the journal yet: their snapshot"
                    + " has not completed"
                : journalEnd == Long.MIN_VALUE
                    ? "capture did not reach the source's LSN " + formatLsn(lsn)
                    : "rule "
                        + rule.name()
                        + " did not apply the journal up to LSN "
                        + formatLsn(lsn))
            + " within "
            + timeout.toSeconds()
            + " s (is 'sluice run' running? --wait gives more time);"
            + " rows changed meanwhile may show as different";
      }
      if (!told) {
        progress.waiting(
            "waiting up to "
                + timeout.toSeconds()
                + " s for rule "
                + rule.name()
                + " to apply the source up to LSN "
                + formatLsn(lsn));
        told = true;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted while waiting for replication";
      }
    }
  }

  private static long confirmedFlushLsn(SluiceConfig config, Connection source)
      throws SQLException {
    try (PreparedStatement statement =
        source.prepareStatement(
            "SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
      statement.setString(1, config.source().slot());
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    }
  }

  private static String formatLsn(long lsn) {
    return Long.toHexString(lsn >>> 32).toUpperCase(java.util.Locale.ROOT)
        + "/"
        + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase(java.util.Locale.ROOT);
  }

  /**
   * Compares tables; where {@code suspects} has a key set for a table, only rows with those keys
   * count as differences (a re-check).
   */
  private static List<Pass> compare(
      SluiceConfig config,
      RuleConfig rule,
      TargetConfig target,
      Connection source,
      List<TableSchema> schemas,
      Map<TableName, Set<String>> suspects,
      Progress progress)
      throws SQLException, TargetException {
    List<Pass> reports = new ArrayList<>();
    for (TableSchema schema : schemas) {
      TableMapping mapping = TableMapping.of(rule, target.dialect(), schema);
      progress.table(schema.table(), estimate(source, schema.table()));
      try (KeyedRows sourceRows =
              RowReaders.postgres(source, quoted(schema.table()), mapping, target.dialect());
          TargetReaders.Rows targetRows = TargetReaders.open(target, mapping)) {
        reports.add(
            compareTable(
                schema.table(),
                mapping,
                sourceRows,
                targetRows.rows(),
                suspects.get(schema.table()),
                progress));
      } catch (SQLException | TargetException e) {
        throw e;
      } catch (Exception e) {
        throw new TargetException(
            "comparing " + schema.table() + " failed: " + e.getMessage(), false, e);
      } finally {
        source.rollback();
      }
    }
    return reports;
  }

  private static long estimate(Connection source, TableName table) throws SQLException {
    try (PreparedStatement statement =
        source.prepareStatement(
            "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = to_regclass(format('%I.%I', ?, ?))")) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  private static Pass compareTable(
      TableName table,
      TableMapping mapping,
      KeyedRows source,
      KeyedRows target,
      Set<String> only,
      Progress progress)
      throws Exception {
    Set<String> keys = new LinkedHashSet<>();
    List<Column> keyColumns = new ArrayList<>();
    for (int k : mapping.key()) {
      keyColumns.add(mapping.columns().get(k));
    }
    long sourceCount = 0;
    long targetCount = 0;
    long chunks = 0;
    long differingChunks = 0;
    long differenceCount = 0;
    List<Difference> differences = new ArrayList<>();
    KeyedRows.Row s = source.next();
    KeyedRows.Row t = target.next();
    while (s != null || t != null) {
      List<KeyedRows.Row> sourceChunk = new ArrayList<>(CHUNK);
      while (s != null && sourceChunk.size() < CHUNK) {
        sourceChunk.add(s);
        s = source.next();
      }
      List<String> boundary =
          sourceChunk.isEmpty() ? null : sourceChunk.get(sourceChunk.size() - 1).key();
      List<KeyedRows.Row> targetChunk = new ArrayList<>();
      while (t != null
          && (boundary == null
              ? targetChunk.size() < CHUNK
              : s == null || Canonical.compareKeys(t.key(), boundary, keyColumns) <= 0)) {
        targetChunk.add(t);
        t = target.next();
      }
      chunks++;
      sourceCount += sourceChunk.size();
      targetCount += targetChunk.size();
      if (!Arrays.equals(digest(sourceChunk), digest(targetChunk))) {
        differingChunks++;
        for (Difference difference : diff(sourceChunk, targetChunk, mapping, keyColumns)) {
          if (only != null && !only.contains(difference.key())) {
            continue; // equal in an earlier pass: a change that was in flight then
          }
          differenceCount++;
          if (differences.size() < MAX_LISTED) {
            differences.add(difference);
          }
          if (keys != null && keys.add(difference.key()) && keys.size() > MAX_TRACKED) {
            keys = null;
          }
        }
      }
      progress.rows(sourceCount + targetCount);
    }
    return new Pass(
        new TableReport(
            table,
            mapping.target().toString(),
            sourceCount,
            targetCount,
            chunks,
            differingChunks,
            differences,
            differenceCount),
        keys);
  }

  private static byte[] digest(List<KeyedRows.Row> rows) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (KeyedRows.Row row : rows) {
        for (String value : row.values()) {
          digest.update(value.getBytes(StandardCharsets.UTF_8));
          digest.update((byte) 0);
        }
        digest.update((byte) '\n');
      }
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Difference> diff(
      List<KeyedRows.Row> source,
      List<KeyedRows.Row> target,
      TableMapping mapping,
      List<Column> keyColumns) {
    List<Difference> differences = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < source.size() || j < target.size()) {
      int c =
          i == source.size()
              ? 1
              : j == target.size()
                  ? -1
                  : Canonical.compareKeys(source.get(i).key(), target.get(j).key(), keyColumns);
      if (c < 0) {
        differences.add(new Difference(DifferenceKind.MISSING, key(source.get(i), keyColumns), ""));
        i++;
      } else if (c > 0) {
        differences.add(new Difference(DifferenceKind.EXTRA, key(target.get(j), keyColumns), ""));
        j++;
      } else {
        List<String> a = source.get(i).values();
        List<String> b = target.get(j).values();
        for (int col = 0; col < a.size(); col++) {
          if (!a.get(col).equals(b.get(col))) {
            differences.add(
                new Difference(
                    DifferenceKind.DIFFERENT,
                    key(source.get(i), keyColumns),
                    mapping.columns().get(col).name()
                        + ": source "
                        + shorten(a.get(col))
                        + ", target "
                        + shorten(b.get(col))));
            break;
          }
        }
        i++;
        j++;
      }
    }
    return differences;
  }

  private static String key(KeyedRows.Row row, List<Column> keyColumns) {
    List<String> parts = new ArrayList<>();
    for (int k = 0; k < keyColumns.size(); k++) {
      parts.add(keyColumns.get(k).name() + "=" + row.key().get(k));
    }
    return String.join(", ", parts);
  }

  private static String shorten(String value) {
    return value.length() > 80
        ? value.substring(0, 80) + "… (" + value.length() + " chars)"
        : value;
  }

  private static String quoted(TableName table) {
    return '"'
        + table.schema().replace("\"", "\"\"")
        + "\".\""
        + table.name().replace("\"", "\"\"")
        + '"';
  }
}
