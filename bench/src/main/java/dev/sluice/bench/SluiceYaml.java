package dev.sluice.bench;

import dev.sluice.testkit.PostgresCluster;
import java.nio.file.Path;

/**
 * The {@code sluice.yaml} of one Sluice side: the source table, a journal, and at most one rule
 * ({@code to-target}, mode {@code cdc}). Immutable builder: each {@code with...} returns a copy.
 *
 * @param source the source cluster
 * @param table the captured table in {@code public}
 * @param slot the replication slot
 * @param publication the publication
 * @param journalDir the journal directory
 * @param targetUrl the rule's target URL, or null for capture only
 * @param targetUser the target's user, or null
 * @param monitorPort the monitor's port ({@code 0}: any free one)
 */
public record SluiceYaml(
    PostgresCluster source,
    String table,
    String slot,
    String publication,
    Path journalDir,
    String targetUrl,
    String targetUser,
    int monitorPort) {

  /** The rule's name. */
  public static final String RULE = "to-target";

  public static SluiceYaml capture(PostgresCluster source, String table, Path journalDir) {
    return new SluiceYaml(source, table, "s_" + table, "p_" + table, journalDir, null, null, 0);
  }

  public SluiceYaml withTarget(String url, String user) {
    return new SluiceYaml(source, table, slot, publication, journalDir, url, user, monitorPort);
  }

  public SluiceYaml withSlot(String newSlot, String newPublication) {
    return new SluiceYaml(
        source, table, newSlot, newPublication, journalDir, targetUrl, targetUser, monitorPort);
  }

  /** The file's text. Snapshot {@code never} (the table is empty at start), no heartbeat. */
  public String text() {
    StringBuilder y = new StringBuilder();
    y.append("source:\n")
        .append("  url: ")
        .append(source.jdbcUrl(Clusters.DATABASE))
        .append('\n')
        .append("  user: postgres\n")
        .append("  slot: ")
        .append(slot)
        .append('\n')
        .append("  publication: ")
        .append(publication)
        .append('\n')
        .append("  tables: [public.")
        .append(table)
        .append("]\n")
        .append("  snapshot: never\n")
        .append("  heartbeat: 0\n")
        .append("journal:\n")
        .append("  dir: \"")
        .append(journalDir)
        .append("\"\n")
        .append("  sync: batch\n");
    if (targetUrl != null) {
      y.append("targets:\n").append("  target: { url: \"").append(targetUrl).append('"');
      if (targetUser != null) {
        y.append(", user: ").append(targetUser);
      }
      y.append(" }\n")
          .append("rules:\n")
          .append("  - { name: ")
          .append(RULE)
          .append(", target: target, mode: cdc }\n");
    }
    y.append("monitor:\n").append("  port: ").append(monitorPort).append('\n');
    y.append("state: \"").append(journalDir.resolveSibling("state.json")).append("\"\n");
    return y.toString();
  }
}
