package dev.sluice.cli;

import dev.sluice.capture.SourceCheck;
import dev.sluice.capture.SourceSurvey;
import dev.sluice.capture.SourceTable;
import dev.sluice.config.ConfigJsonSchema;
import dev.sluice.config.Dialect;
import dev.sluice.config.TableName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The commented starter {@code sluice.yaml} that {@code sluice init} writes from a look at the
 * source: one rule per target, the captured tables, and, as comments and as {@link #advice()}, what
 * must change on the source first (with the SQL to run) and what is worth knowing. Passwords are
 * never in it: each one is an environment reference, listed in {@link #variables()}.
 *
 * @param yaml the file's text; valid for {@code sluice validate} once the variables are set
 * @param advice what to change or know, most important first
 * @param variables the environment variables the file refers to, each with what it holds
 */
record StarterConfig(String yaml, List<Advice> advice, Map<String, String> variables) {

  /** The variable that holds the source's password. */
  static final String SOURCE_PASSWORD = "SLUICE_SOURCE_PASSWORD";

  private static final int MAX_LISTED = 20;

  /**
   * One thing about the source.
   *
   * @param required whether capture cannot start until it is done
   * @param message what is wrong or worth knowing
   * @param fix the SQL to run (or setting to change), or null when nothing needs doing
   */
  record Advice(boolean required, String message, String fix) {}

  /**
   * Writes the starter file.
   *
   * @param source the source, as given
   * @param user the user capture connects as
   * @param targets the targets, as given, in order
   * @param slot the replication slot to use
   * @param survey the source as it is
   * @param report the check of the source against the file's settings
   * @param writtenAt when (for the header)
   */
  static StarterConfig of(
      DatabaseUrl source,
      String user,
      List<DatabaseUrl> targets,
      String slot,
      SourceSurvey survey,
      SourceCheck.Report report,
      Instant writtenAt) {
    List<Advice> advice = advice(survey, report, slot);
    Map<String, String> variables = new LinkedHashMap<>();
    Map<String, DatabaseUrl> named = names(targets);
    StringBuilder out = new StringBuilder();
    out.append("# yaml-language-server: $schema=").append(ConfigJsonSchema.FILE_NAME).append('\n');
    out.append("#\n# sluice.yaml, written by 'sluice init' at ")
        .append(writtenAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
        .append(" from ")
        .append(source.host())
        .append('/')
        .append(source.database())
        .append(" (PostgreSQL ")
        .append(survey.serverVersion().shortText())
        .append(").\n");
    out.append(
        """
        # Check it:  sluice validate -c sluice.yaml --dry-run   (connects, changes nothing)
        # Run it:    sluice run -c sluice.yaml
        # Every key is described in docs/configuration.md; editors that read
        # %s (VS Code's YAML extension, IntelliJ) complete and check keys.
        """
            .formatted(ConfigJsonSchema.FILE_NAME));
    List<Advice> required = advice.stream().filter(Advice::required).toList();
    List<Advice> notes = advice.stream().filter(a -> !a.required()).toList();
    if (!required.isEmpty()) {
      out.append("#\n# BEFORE CAPTURE CAN START, change this on the source:\n");
      required.forEach(a -> comment(out, a));
    }
    if (!notes.isEmpty()) {
      out.append("#\n# Worth knowing:\n");
      notes.forEach(a -> comment(out, a));
    }
    out.append('\n');

    out.append("source:\n");
    out.append("  url: ").append(quote(source.withoutCredentials())).append('\n');
    out.append("  user: ").append(quote(user)).append('\n');
    if (source.password() != null) {
      out.append("  password: ${")
          .append(SOURCE_PASSWORD)
          .append("}")
          .append("   # never written here: set it in the environment\n");
      variables.put(SOURCE_PASSWORD, "the password of " + user + " on the source");
    } else {
      out.append("  # password: ${").append(SOURCE_PASSWORD).append("}\n");
    }
    out.append("  slot: ").append(slot).append('\n');
    out.append("  publication: sluice\n");
    List<SourceTable> keyed = survey.tables().stream().filter(SourceTable::hasPrimaryKey).toList();
    out.append("  # tables: every table with a primary key (")
        .append(keyed.size())
        .append(" now), or list tables and patterns:\n");
    out.append("  # tables: [public.orders, \"inventory.*\"]\n");
    listTables(out, "  #   ", keyed);
    out.append(
        "  snapshot: initial        # initial | never | always: when existing rows are read\n");
    out.append("  heartbeat: 10s           # keeps the slot moving when the database is idle\n");
    out.append('\n');
    out.append(
        """
        journal:
          dir: ./sluice-journal    # every change is kept here; put it on a persistent volume
          retention: 7d
          sync: batch              # batch | none

        """);
    if (named.isEmpty()) {
      out.append(
          """
          # targets and rules: where captured changes go (sluice init --target URL adds them)
          # targets:
          #   analytics: { url: "mongodb://127.0.0.1:27017/analytics" }
          # rules:
          #   - { name: to-analytics, target: analytics, mode: cdc }
          """);
    } else {
      out.append("targets:\n");
      for (Map.Entry<String, DatabaseUrl> e : named.entrySet()) {
        target(out, e.getKey(), e.getValue(), variables);
      }
      out.append("\nrules:\n");
      for (Map.Entry<String, DatabaseUrl> e : named.entrySet()) {
        out.append("  - name: to-").append(e.getKey()).append('\n');
        out.append("    target: ").append(e.getKey()).append('\n');
        out.append("    mode: cdc                # cdc | mirror | append\n");
        out.append("    # tables: [\"public.*\"]   # default: every captured table\n");
        out.append("    # rename: { public.users: users }\n");
        out.append("    # excludeColumns: { public.users: [password_hash] }\n");
      }
    }
    out.append(
        """

        # monitor: { host: 127.0.0.1, port: 14499 }   # the dashboard and /api/health
        """);
    return new StarterConfig(out.toString(), advice, variables);
  }

  private static void target(
      StringBuilder out, String name, DatabaseUrl url, Map<String, String> variables) {
    String variable =
        "SLUICE_TARGET_" + name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_PASSWORD";
    out.append("  ").append(name).append(":\n");
    if (url.dialect() == Dialect.MONGODB) {
      out.append("    url: ").append(quote(url.withPasswordReference(variable))).append('\n');
      if (url.password() != null) {
        out.append("    # the password is taken from ")
            .append(variable)
            .append(" (URL-encoded, as in any MongoDB URL)\n");
        variables.put(variable, "the password of " + url.user() + " on " + name);
      }
      return;
    }
    out.append("    url: ").append(quote(url.withoutCredentials())).append('\n');
    if (url.user() != null) {
      out.append("    user: ").append(quote(url.user())).append('\n');
    }
    if (url.password() != null) {
      out.append("    password: ${").append(variable).append("}\n");
      variables.put(variable, "the password of " + url.user() + " on " + name);
    }
  }

  /** Target names from kind and host (or database, for this machine), unique. */
  static Map<String, DatabaseUrl> names(List<DatabaseUrl> targets) {
    Map<String, DatabaseUrl> named = new LinkedHashMap<>();
    for (DatabaseUrl url : targets) {
      String where = url.dialect() == Dialect.SQLITE || url.isLocal() ? url.database() : url.host();
      String base =
          (url.kind() + (where.isEmpty() ? "" : "-" + where)).replaceAll("[^A-Za-z0-9_.-]", "-");
      base = base.length() > 56 ? base.substring(0, 56) : base;
      String name = base;
      for (int n = 2; named.containsKey(name); n++) {
        name = base + "-" + n;
      }
      named.put(name, url);
    }
    return named;
  }

  private static List<Advice> advice(SourceSurvey survey, SourceCheck.Report report, String slot) {
    List<Advice> advice = new ArrayList<>();
    for (SourceCheck.Problem problem : report.problems()) {
      advice.add(new Advice(true, problem.message(), problem.fix()));
    }
    List<SourceTable> unkeyed = survey.tables().stream().filter(t -> !t.hasPrimaryKey()).toList();
    for (SourceTable table : unkeyed.subList(0, Math.min(MAX_LISTED, unkeyed.size()))) {
      advice.add(
          new Advice(
              false,
              table.name()
                  + " has no primary key, so it is not captured; to capture it, add a key, or"
                  + " give it a full replica identity and list it in source.tables",
              "ALTER TABLE " + sql(table.name()) + " REPLICA IDENTITY FULL;"));
    }
    if (unkeyed.size() > MAX_LISTED) {
      advice.add(
          new Advice(
              false,
              (unkeyed.size() - MAX_LISTED) + " more tables have no primary key either",
              null));
    }
    List<TableName> toasted =
        survey.tables().stream()
            .filter(SourceTable::hasPrimaryKey)
            .map(SourceTable::name)
            .filter(survey.toastableColumns()::containsKey)
            .toList();
    if (!toasted.isEmpty()) {
      List<String> listed = new ArrayList<>();
      for (TableName table : toasted.subList(0, Math.min(MAX_LISTED, toasted.size()))) {
        listed.add(table + " (" + String.join(", ", survey.toastableColumns().get(table)) + ")");
      }
      advice.add(
          new Advice(
              false,
              "columns whose large values PostgreSQL stores out of line (TOAST): "
                  + String.join("; ", listed)
                  + (toasted.size() > MAX_LISTED
                      ? "; and " + (toasted.size() - MAX_LISTED) + " more tables"
                      : "")
                  + ". An UPDATE that leaves such a value unchanged does not carry it: the journal"
                  + " marks it 'unchanged' and targets keep the value they have",
              null));
    }
    for (SourceSurvey.Slot other : survey.slots()) {
      if (!other.name().equals(slot) && !other.active() && other.retainedBytes() > 0) {
        advice.add(
            new Advice(
                false,
                "the replication slot '"
                    + other.name()
                    + "' ("
                    + other.plugin()
                    + ") is not in use and keeps "
                    + megabytes(other.retainedBytes())
                    + " of WAL on the source; if nothing reads it any more, drop it",
                "SELECT pg_drop_replication_slot('" + other.name().replace("'", "''") + "');"));
      }
    }
    report.notes().stream()
        .filter(note -> !note.contains("has no primary key"))
        .forEach(note -> advice.add(new Advice(false, note, null)));
    return advice;
  }

  private static void listTables(StringBuilder out, String prefix, List<SourceTable> tables) {
    StringBuilder line = new StringBuilder(prefix);
    int listed = 0;
    for (SourceTable table : tables) {
      if (listed == 40) {
        out.append(line).append("... and ").append(tables.size() - listed).append(" more\n");
        return;
      }
      String name = table.name().toString();
      if (line.length() + name.length() > 96) {
        out.append(line.toString().stripTrailing()).append('\n');
        line = new StringBuilder(prefix);
      }
      line.append(name).append(", ");
      listed++;
    }
    if (listed > 0) {
      out.append(line.substring(0, line.length() - 2)).append('\n');
    }
  }

  private static void comment(StringBuilder out, Advice advice) {
    out.append("#   - ").append(advice.message().replace("\n", "\n#     ")).append('\n');
    if (advice.fix() != null) {
      out.append("#       ").append(advice.fix()).append('\n');
    }
  }

  private static String sql(TableName table) {
    return '"'
        + table.schema().replace("\"", "\"\"")
        + "\".\""
        + table.name().replace("\"", "\"\"")
        + '"';
  }

  private static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%,.1f MB", bytes / 1048576.0);
  }

  /** A YAML double-quoted scalar. */
  static String quote(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
