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
 * <p>Replication in flight: before comparing, the verifier waits until capture has confirmed the
 * source's WAL position taken at the start and the rule's checkpoint has reached the journal's end
 * ("settled"); when differences are found, it settles again and compares once more, reporting only
 * what differs both times.
 */
public final class Verifier {
  private static final int CHUNK = 1000;
  private static final int MAX_LISTED = 100;

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
   * @param took how long it took
   * @param settled whether replication was caught up when comparing
   * @param note why it was not, or empty
   */
  public record Report(
      String rule, List<TableReport> tables, Duration took, boolean settled, String note) {
    public boolean equal() {
      return tables.stream().allMatch(TableReport::equal);
    }

    public long rows() {
      return tables.stream().mapToLong(t -> t.sourceRows() + t.targetRows()).sum();
    }

    public double rowsPerSecond() {
      return took.toMillis() == 0 ? rows() : rows() * 1000.0 / took.toMillis();
    }
  }

  /** Receives progress. */
  public interface Progress {
    void table(TableName table, long estimatedRows);

    void rows(long compared);
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
    List<TableSchema> schemas;
    try (Journal journal = Journal.openReadOnly(config.journal().dir())) {
      schemas = tables(config, rule, journal, table);
    }
    try (Connection source = connect(config.source());
        Target checkpoints = Targets.connect(target)) {
      String note = settle(config, rule, source, checkpoints, settleTimeout);
      List<TableReport> first = compare(config, rule, target, source, schemas, progress);
      List<TableReport> reports = first;
      if (first.stream().anyMatch(r -> !r.equal()) && note.isEmpty()) {
        String again = settle(config, rule, source, checkpoints, settleTimeout);
        note = again;
        reports = intersect(first, compare(config, rule, target, source, schemas, progress));
      }
      return new Report(
          rule.name(), reports, Duration.between(started, Instant.now()), note.isEmpty(), note);
    }
  }

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
    return DriverManager.getConnection(source.url(), properties);
  }

  /**
   * Waits until capture confirmed the source's current WAL position and the rule's checkpoint
   * reached the journal's end.
   *
   * @return empty when settled, else why not
   */
  private static String settle(
      SluiceConfig config, RuleConfig rule, Connection source, Target checkpoints, Duration timeout)
      throws SQLException, TargetException {
    source.setAutoCommit(true);
    long lsn;
    try (Statement statement = source.createStatement();
        ResultSet rs = statement.executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
      rs.next();
      lsn = rs.getLong(1);
    }
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      long confirmed = -1;
      try (PreparedStatement statement =
          source.prepareStatement(
              "SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
        statement.setString(1, config.source().slot());
        try (ResultSet rs = statement.executeQuery()) {
          if (rs.next()) {
            confirmed = rs.getLong(1);
          }
        }
      }
      long applied = checkpoints.checkpoint(rule.name()).map(Checkpoint::position).orElse(-1L);
      long end;
      try (Journal journal = Journal.openReadOnly(config.journal().dir())) {
        end = journal.lastPosition();
      }
      if (confirmed >= lsn && applied >= end) {
        return "";
      }
      if (Instant.now().isAfter(deadline)) {
        return "replication did not catch up within "
            + timeout.toSeconds()
            + " s (is 'sluice run' running?);"
            + " rows changed meanwhile may show as different";
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted while waiting for replication";
      }
    }
  }

  private static List<TableReport> compare(
      SluiceConfig config,
      RuleConfig rule,
      TargetConfig target,
      Connection source,
      List<TableSchema> schemas,
      Progress progress)
      throws SQLException, TargetException {
    List<TableReport> reports = new ArrayList<>();
    for (TableSchema schema : schemas) {
      TableMapping mapping = TableMapping.of(rule, target.dialect(), schema);
      progress.table(schema.table(), estimate(source, schema.table()));
      try (KeyedRows sourceRows =
              RowReaders.postgres(source, quoted(schema.table()), mapping, target.dialect());
          TargetReaders.Rows targetRows = TargetReaders.open(target, mapping)) {
        reports.add(compareTable(schema.table(), mapping, sourceRows, targetRows.rows(), progress));
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

  private static TableReport compareTable(
      TableName table, TableMapping mapping, KeyedRows source, KeyedRows target, Progress progress)
      throws Exception {
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
          differenceCount++;
          if (differences.size() < MAX_LISTED) {
            differences.add(difference);
          }
        }
      }
      progress.rows(sourceCount + targetCount);
    }
    return new TableReport(
        table,
        mapping.target().toString(),
        sourceCount,
        targetCount,
        chunks,
        differingChunks,
        differences,
        differenceCount);
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

  /** The differences found in both passes (the others were changes in flight). */
  private static List<TableReport> intersect(List<TableReport> first, List<TableReport> second) {
    List<TableReport> result = new ArrayList<>();
    for (int i = 0; i < second.size(); i++) {
      TableReport before = first.get(i);
      TableReport again = second.get(i);
      if (before.differenceCount() > MAX_LISTED) {
        result.add(again); // too many to match one by one: the second pass stands
        continue;
      }
      Set<String> seen = new LinkedHashSet<>();
      before.differences().forEach(d -> seen.add(d.kind() + "|" + d.key()));
      List<Difference> kept =
          again.differences().stream()
              .filter(d -> seen.contains(d.kind() + "|" + d.key()))
              .toList();
      result.add(
          new TableReport(
              again.table(),
              again.target(),
              again.sourceRows(),
              again.targetRows(),
              again.chunks(),
              again.differingChunks(),
              kept,
              kept.size()));
    }
    return result;
  }

  private static String quoted(TableName table) {
    return '"'
        + table.schema().replace("\"", "\"\"")
        + "\".\""
        + table.name().replace("\"", "\"\"")
        + '"';
  }
}
