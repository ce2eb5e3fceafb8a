package dev.sluice.apply.internal;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Sorts;
import dev.sluice.config.Dialect;
import dev.sluice.config.TargetConfig;
import dev.sluice.journal.Column;
import dev.sluice.journal.PgText;
import dev.sluice.journal.ValueKind;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.bson.Document;

/** Opens {@link KeyedRows} over the source (PostgreSQL) and over each kind of target. */
public final class RowReaders {
  private static final int FETCH = 1000;

  private RowReaders() {}

  /**
   * Rows of a PostgreSQL table (the source, or a PostgreSQL target), read into the journal's
   * representations and given in the forms of {@code formsFor}.
   *
   * @param connection a connection this reader may switch out of autocommit
   */
  public static KeyedRows postgres(
      Connection connection, String qualifiedTable, TableMapping mapping, Dialect formsFor)
      throws SQLException {
    connection.setAutoCommit(false);
    try (Statement settings = connection.createStatement()) {
      // the text forms capture journals (see PgText)
      settings.execute("SET LOCAL intervalstyle = 'iso_8601'");
      settings.execute("SET LOCAL timezone = 'UTC'");
      settings.execute("SET LOCAL datestyle = 'ISO'");
      settings.execute("SET LOCAL extra_float_digits = 3");
    }
    StringJoiner columns = new StringJoiner(", ");
    for (Column column : mapping.columns()) {
      String name = quote(column.name());
      // read as the server prints them (getString of a column sent as text), money as a decimal
      columns.add(column.pgType().startsWith("money") ? name + "::numeric" : name);
    }
    StringJoiner order = new StringJoiner(", ");
    for (int k : mapping.key()) {
      Column column = mapping.columns().get(k);
      boolean text = column.kind() == ValueKind.TEXT || column.kind() == ValueKind.OTHER;
      // by code point, as Canonical.compareKeys and every target order them; an enum by its label
      // (its own order is the order of declaration, which no other target knows)
      order.add(
          quote(column.name())
              + (column.kind() == ValueKind.ENUM ? "::text" : "")
              + (text || column.kind() == ValueKind.ENUM ? " COLLATE \"C\"" : ""));
    }
    Statement statement = connection.createStatement();
    statement.setFetchSize(FETCH);
    ResultSet rs =
        statement.executeQuery(
            "SELECT " + columns + " FROM " + qualifiedTable + " ORDER BY " + order);
    return new JdbcRows(
        statement,
        rs,
        mapping,
        (r, i, column) -> Canonical.ofSource(readPostgres(r, i, column), column, formsFor));
  }

  /** Rows of a MySQL/MariaDB or SQLite target table, as their driver returns them. */
  public static KeyedRows sql(Connection connection, SqlDialect dialect, TableMapping mapping)
      throws SQLException {
    StringJoiner columns = new StringJoiner(", ");
    mapping.columns().forEach(c -> columns.add(dialect.quote(c.name())));
    StringJoiner order = new StringJoiner(", ");
    for (int k : mapping.key()) {
      order.add(dialect.quote(mapping.columns().get(k).name()));
    }
    Statement statement = connection.createStatement();
    statement.setFetchSize(FETCH);
    ResultSet rs =
        statement.executeQuery(
            "SELECT "
                + columns
                + " FROM "
                + dialect.qualified(mapping.target())
                + " ORDER BY "
                + order);
    Dialect kind = dialect.dialect();
    return new JdbcRows(
        statement,
        rs,
        mapping,
        (r, i, column) -> Canonical.ofTarget(readTarget(r, i, column), column, kind));
  }

  /** Documents of a MongoDB target collection, by {@code _id}. */
  public static KeyedRows mongo(TargetConfig target, TableMapping mapping) {
    MongoClient client = MongoTarget.client(target);
    String database = new com.mongodb.ConnectionString(target.url()).getDatabase();
    MongoCursor<Document> cursor =
        client
            .getDatabase(database)
            .getCollection(mapping.target().name())
            .find()
            .sort(Sorts.ascending("_id"))
            .batchSize(FETCH)
            .iterator();
    return new KeyedRows() {
      @Override
      public Row next() {
        if (!cursor.hasNext()) {
          return null;
        }
        Document document = cursor.next();
        List<String> values = new ArrayList<>(mapping.columns().size());
        for (Column column : mapping.columns()) {
          values.add(Canonical.ofTarget(document.get(column.name()), column, Dialect.MONGODB));
        }
        List<String> key = new ArrayList<>(mapping.key().length);
        Object id = document.get("_id");
        for (int k : mapping.key()) {
          Column column = mapping.columns().get(k);
          Object value =
              mapping.key().length == 1
                  ? id
                  : id instanceof Document d ? d.get(column.name()) : null;
          key.add(Canonical.ofTarget(value, column, Dialect.MONGODB));
        }
        return new Row(key, values);
      }

      @Override
      public void close() {
        cursor.close();
        client.close();
      }
    };
  }

  /** Reads column {@code i} of the current row. */
  @FunctionalInterface
  private interface Reader {
    String read(ResultSet rs, int index, Column column) throws SQLException;
  }

  private static final class JdbcRows implements KeyedRows {
    private final Statement statement;
    private final ResultSet rs;
    private final TableMapping mapping;
    private final Reader reader;

    JdbcRows(Statement statement, ResultSet rs, TableMapping mapping, Reader reader) {
      this.statement = statement;
      this.rs = rs;
      this.mapping = mapping;
      this.reader = reader;
    }

    @Override
    public Row next() throws SQLException {
      if (!rs.next()) {
        return null;
      }
      List<String> values = new ArrayList<>(mapping.columns().size());
      for (int i = 0; i < mapping.columns().size(); i++) {
        values.add(reader.read(rs, i + 1, mapping.columns().get(i)));
      }
      List<String> key = new ArrayList<>(mapping.key().length);
      for (int k : mapping.key()) {
        key.add(values.get(k));
      }
      return new Row(key, values);
    }

    @Override
    public void close() throws SQLException {
      rs.close();
      statement.close();
    }
  }

  /**
   * A PostgreSQL value in the journal's representation: numbers, booleans, text and bytes as the
   * driver reads them, everything else from PostgreSQL's own text, as capture reads a snapshot.
   */
  static Object readPostgres(ResultSet rs, int index, Column column) throws SQLException {
    Object raw = rs.getObject(index);
    if (raw == null) {
      return null;
    }
    return switch (column.kind()) {
      case INT16 -> rs.getShort(index);
      case INT32 -> rs.getInt(index);
      case INT64 -> rs.getLong(index);
      case FLOAT32 -> rs.getFloat(index);
      case FLOAT64 -> rs.getDouble(index);
      case BOOLEAN -> rs.getBoolean(index);
      case BYTES -> rs.getBytes(index);
      case DATE, TIME, TIMESTAMP, TIMESTAMPTZ -> PgText.value(rs.getString(index), column.kind());
      default -> rs.getString(index);
    };
  }

  private static Object readTarget(ResultSet rs, int index, Column column) throws SQLException {
    return switch (column.kind()) {
      case DATE ->
          rs.getObject(index) == null
              ? null
              : rs.getString(index).length() == 10
                  ? rs.getString(index)
                  : rs.getObject(index, LocalDate.class);
      case TIME -> rs.getString(index);
      case TIMESTAMP, TIMESTAMPTZ ->
          rs.getObject(index) instanceof String text
              ? text
              : rs.getObject(index, LocalDateTime.class);
      default -> rs.getObject(index);
    };
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
