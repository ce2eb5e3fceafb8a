package dev.sluice.bench;

import dev.sluice.testkit.PostgresCluster;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 5: replay from the journal into a PostgreSQL target ({@code sluice replay}'s code path),
 * changes per second, into a new, empty target database each repetition. The journal is captured
 * once, from the same load as the other scenarios.
 */
public final class ReplayScenario implements Scenario {
  static final String NAME = "replay";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "journal → PostgreSQL target (sluice replay)";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    CapturedJournal journal = CapturedJournal.build(ctx, "replay_src", ctx.settings().rows());
    PostgresCluster target = ctx.clusters().target();
    List<Double> rates = new ArrayList<>();
    for (int rep = 1; rep <= ctx.settings().repetitions(); rep++) {
      String database = "replay_" + rep;
      target.execute("CREATE DATABASE " + database);
      rates.add(journal.replayInto(ctx, NAME, "sluice", target.jdbcUrl(database), "postgres"));
      ctx.results()
          .check(
              NAME,
              "sluice",
              "rows on the target (rep " + rep + ")",
              journal.rows(),
              Load.count(target, database, journal.table()));
      target.execute("DROP DATABASE " + database);
    }
    ctx.results()
        .add(
            NAME,
            "sluice",
            "changes/s",
            true,
            rates,
            String.format("%,d inserts from the journal into PostgreSQL", journal.rows()));
  }
}
