package dev.sluice.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.function.LongConsumer;

/**
 * A small shop's writes: customers, orders and documents with large (TOASTed) bodies. Each
 * transaction inserts a customer and orders, updates and deletes earlier orders, and retitles a
 * document without touching its body, so every operation and an unchanged TOASTed value occur.
 * Deterministic for a seed. Not thread-safe.
 */
public final class ShopWorkload {
  /** The tables, in {@code public}. */
  public static final String SCHEMA =
      """
      CREATE TABLE IF NOT EXISTS customers (
        id bigint PRIMARY KEY, name text NOT NULL, email text, created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE IF NOT EXISTS orders (
        id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL, total numeric(12,2) NOT NULL,
        items int[] , updated_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE IF NOT EXISTS documents (
        id bigint PRIMARY KEY, title text NOT NULL, body text NOT NULL, version int NOT NULL);
      ALTER TABLE documents ALTER COLUMN body SET STORAGE EXTERNAL;
      """;

  private static final String[] STATUSES = {"new", "paid", "shipped", "delivered"};

  private final Random random;
  private long nextCustomer = 1;
  private long nextOrder = 1;
  private long nextDocument = 1;
  private long operations;

  public ShopWorkload(long seed) {
    this.random = new Random(seed);
  }

  public static void createSchema(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(SCHEMA);
    }
  }

  /** Row operations done so far. */
  public long operations() {
    return operations;
  }

  /**
   * Runs transactions until about {@code rows} row operations are done.
   *
   * @param progress receives the operations done after each transaction
   */
  public void run(Connection connection, long rows, LongConsumer progress) throws SQLException {
    connection.setAutoCommit(false);
    try (PreparedStatement customer =
            connection.prepareStatement(
                "INSERT INTO customers (id, name, email) VALUES (?, ?, ?)");
        PreparedStatement order =
            connection.prepareStatement(
                "INSERT INTO orders (id, customer_id, status, total, items) VALUES (?, ?, 'new', ?, ?)");
        PreparedStatement advance =
            connection.prepareStatement(
                "UPDATE orders SET status = ?, updated_at = now() WHERE id = ?");
        PreparedStatement cancel = connection.prepareStatement("DELETE FROM orders WHERE id = ?");
        PreparedStatement document =
            connection.prepareStatement(
                "INSERT INTO documents (id, title, body, version) VALUES (?, ?, ?, 1)");
        PreparedStatement retitle =
            connection.prepareStatement(
                "UPDATE documents SET title = ?, version = version + 1 WHERE id = ?")) {
      while (operations < rows) {
        long customerId = nextCustomer++;
        customer.setLong(1, customerId);
        customer.setString(2, "Customer " + customerId);
        customer.setString(3, "c" + customerId + "@example.com");
        customer.executeUpdate();
        operations++;
        for (int i = 0; i < 3; i++) {
          order.setLong(1, nextOrder++);
          order.setLong(2, customerId);
          order.setBigDecimal(3, java.math.BigDecimal.valueOf(random.nextInt(100_000), 2));
          order.setArray(
              4,
              connection.createArrayOf(
                  "int4", new Integer[] {random.nextInt(100), random.nextInt(100)}));
          order.executeUpdate();
          operations++;
        }
        if (nextOrder > 10) {
          advance.setString(1, STATUSES[random.nextInt(STATUSES.length)]);
          advance.setLong(2, 1 + random.nextInt((int) Math.min(Integer.MAX_VALUE, nextOrder - 1)));
          operations += advance.executeUpdate();
          cancel.setLong(1, 1 + random.nextInt((int) Math.min(Integer.MAX_VALUE, nextOrder - 1)));
          operations += cancel.executeUpdate();
        }
        if (customerId % 10 == 1) {
          long documentId = nextDocument++;
          document.setLong(1, documentId);
          document.setString(2, "Document " + documentId);
          document.setString(3, ("Lorem ipsum " + documentId + " ").repeat(800));
          document.executeUpdate();
          operations++;
        } else if (nextDocument > 1) {
          retitle.setString(1, "Document retitled " + customerId);
          retitle.setLong(2, 1 + random.nextInt((int) (nextDocument - 1)));
          operations += retitle.executeUpdate();
        }
        connection.commit();
        progress.accept(operations);
      }
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }
}
