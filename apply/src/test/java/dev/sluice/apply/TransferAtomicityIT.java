package dev.sluice.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.TableName;
import dev.sluice.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transaction atomicity on SQL targets: concurrent transfers move amounts between accounts, one
 * transaction each, while readers on the PostgreSQL and MariaDB targets sum all balances again and
 * again. A target that ever showed half of a source transaction would show another total.
 */
class TransferAtomicityIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("transfers");

  private static final int ACCOUNTS = 50;
  private static final long BALANCE = 1_000;
  private static final long TOTAL = ACCOUNTS * BALANCE;
  private static final int TRANSFERS_PER_WRITER = 1_500;
  private static final int WRITERS = 4;

  @Test
  void readersOfPostgresAndMariaDbTargetsNeverSeeTheTotalChange() throws Exception {
    try (TestTarget.Postgres pgTarget = new TestTarget.Postgres(PG.cluster());
        TestTarget.MariaDb mariaTarget = new TestTarget.MariaDb();
        Pipeline p = new Pipeline(PG.cluster())) {
      p.configure(
          """
          source: { url: "${SOURCE_URL}", slot: "${SLOT}", heartbeat: 1s }
          journal: { dir: "${DIR}/journal" }
          targets:
            pg: %s
            maria: %s
          rules:
            - { name: to-pg, target: pg, batch: { maxEvents: 7 } }
            - { name: to-maria, target: maria, batch: { maxEvents: 7 } }
          """
              .formatted(pgTarget.yaml(), mariaTarget.yaml()));
      p.sql(
          "CREATE TABLE accounts(id int PRIMARY KEY, balance bigint NOT NULL)",
          "INSERT INTO accounts SELECT g, "
              + BALANCE
              + " FROM generate_series(1, "
              + ACCOUNTS
              + ") g");
      p.start();
      p.flush(id -> pgTarget.has("flush_mark", id) && mariaTarget.has("flush_mark", id));

      AtomicBoolean reading = new AtomicBoolean(true);
      List<String> wrongTotals = new CopyOnWriteArrayList<>();
      AtomicLong pgReads = new AtomicLong();
      AtomicLong mariaReads = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      threads.add(reader("pg", pgTarget::connect, reading, wrongTotals, pgReads));
      threads.add(reader("maria", mariaTarget::connect, reading, wrongTotals, mariaReads));
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        writers.add(writer(p, w, wrongTotals));
      }
      for (Thread writer : writers) {
        writer.join();
      }
      p.flush(id -> pgTarget.has("flush_mark", id) && mariaTarget.has("flush_mark", id));
      reading.set(false);
      for (Thread thread : threads) {
        thread.join();
      }

      assertThat(wrongTotals).as("wrong totals seen by readers, and failures").isEmpty();
      assertThat(pgReads.get()).as("reads on the PostgreSQL target").isPositive();
      assertThat(mariaReads.get()).as("reads on the MariaDB target").isPositive();
      assertThat(p.source.queryIn(p.database, "SELECT sum(balance) FROM accounts").get(0).get(0))
          .hasToString(Long.toString(TOTAL));
      for (String rule : List.of("to-pg", "to-maria")) {
        Verifier.Report report = verify(p, rule);
        assertThat(report.equal()).as("%s: %s", rule, report).isTrue();
      }
    }
  }

  private static Verifier.Report verify(Pipeline p, String rule) throws Exception {
    return Verifier.verify(
        p.config,
        rule,
        Optional.of("public.accounts"),
        Duration.ofSeconds(120),
        new Verifier.Progress() {
          @Override
          public void table(TableName table, long estimatedRows) {}

          @Override
          public void rows(long compared) {}
        });
  }

  private interface Connector {
    Connection connect() throws SQLException;
  }

  /** Sums the target's balances until stopped; any total but the right one is recorded. */
  private static Thread reader(
      String name,
      Connector target,
      AtomicBoolean reading,
      List<String> wrongTotals,
      AtomicLong reads) {
    Thread thread =
        new Thread(
            () -> {
              try (Connection c = target.connect();
                  Statement s = c.createStatement()) {
                while (reading.get()) {
                  try (ResultSet rs =
                      s.executeQuery("SELECT count(*), sum(balance) FROM accounts")) {
                    rs.next();
                    long count = rs.getLong(1);
                    long sum = rs.getLong(2);
                    if (count != ACCOUNTS || sum != TOTAL) {
                      wrongTotals.add(name + ": " + count + " accounts, total " + sum);
                    }
                    reads.incrementAndGet();
                  }
                }
              } catch (SQLException e) {
                wrongTotals.add(name + ": reading failed: " + e.getMessage());
              }
            },
            "reader-" + name);
    thread.start();
    return thread;
  }

  /** Transfers between random accounts, each in its own transaction (updates in key order). */
  private static Thread writer(Pipeline p, int number, List<String> failures) {
    Thread thread =
        new Thread(
            () -> {
              Random random = new Random(number);
              try (Connection c = p.source.connect(p.database);
                  PreparedStatement move =
                      c.prepareStatement(
                          "UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
                c.setAutoCommit(false);
                for (int i = 0; i < TRANSFERS_PER_WRITER; i++) {
                  int from = 1 + random.nextInt(ACCOUNTS);
                  int to = 1 + random.nextInt(ACCOUNTS);
                  long amount = 1 + random.nextInt(100);
                  int first = Math.min(from, to);
                  int second = Math.max(from, to);
                  move.setLong(1, first == from ? -amount : amount);
                  move.setInt(2, first);
                  move.executeUpdate();
                  move.setLong(1, first == from ? amount : -amount);
                  move.setInt(2, second);
                  move.executeUpdate();
                  c.commit();
                }
              } catch (SQLException e) {
                failures.add("writer " + number + " failed: " + e.getMessage());
              }
            },
            "transfers-" + number);
    thread.start();
    return thread;
  }
}
