package dev.sluice.apply.internal;

import com.mongodb.ConnectionString;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCredential;
import com.mongodb.MongoException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import dev.sluice.apply.Checkpoint;
import dev.sluice.apply.TargetException;
import dev.sluice.apply.TypeMapping;
import dev.sluice.config.Dialect;
import dev.sluice.config.TargetConfig;
import dev.sluice.journal.Column;
import dev.sluice.journal.Unavailable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * A MongoDB target: one document per source row, {@code _id} from the primary key (an embedded
 * document for a composite key). Inserts and updates are keyed upserts that {@code $set} only the
 * columns the change carries, deletes are by {@code _id}; after coalescing each key has one
 * operation, so bulk writes are unordered. Without transactions, the checkpoint (collection {@code
 * sluice_checkpoints}) is written after the data: re-applying a batch after a crash changes
 * nothing.
 */
public final class MongoTarget implements Target {
  static final String CHECKPOINTS = "sluice_checkpoints";

  private final TargetConfig config;
  private final MongoClient client;
  private final MongoDatabase database;

  private MongoTarget(TargetConfig config, MongoClient client, MongoDatabase database) {
    this.config = config;
    this.client = client;
    this.database = database;
  }

  /**
   * Connects (lazily: the first operation reaches the server).
   *
   * @throws TargetException when the URL names no database
   */
  public static MongoTarget connect(TargetConfig config) throws TargetException {
    ConnectionString url = new ConnectionString(config.url());
    if (url.getDatabase() == null) {
      throw new TargetException(
          "the MongoDB URL of target "
              + config.name()
              + " names no database (mongodb://host:27017/database)",
          false,
          null);
    }
    MongoClient client = client(config);
    return new MongoTarget(config, client, client.getDatabase(url.getDatabase()));
  }

  /** A client for a target, with its configured credentials. */
  static MongoClient client(TargetConfig config) {
    ConnectionString url = new ConnectionString(config.url());
    java.time.Duration timeout = config.connectTimeout();
    MongoClientSettings.Builder settings =
        MongoClientSettings.builder()
            .applyConnectionString(url)
            .applyToClusterSettings(
                c -> c.serverSelectionTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS))
            .applyToSocketSettings(
                s -> s.connectTimeout((int) timeout.toMillis(), TimeUnit.MILLISECONDS));
    if (config.user() != null && url.getCredential() == null) {
      char[] password =
          config.password() == null ? new char[0] : config.password().reveal().toCharArray();
      settings.credential(
          MongoCredential.createCredential(config.user(), url.getDatabase(), password));
    }
    return MongoClients.create(settings.build());
  }

  @Override
  public Dialect dialect() {
    return Dialect.MONGODB;
  }

  @Override
  public TypeMapping map(Column column, boolean key) {
    return MongoValues.map(column);
  }

  @Override
  public boolean transactionalDdl() {
    return true;
  }

  @Override
  public Optional<Checkpoint> checkpoint(String rule) throws TargetException {
    try {
      Document document = database.getCollection(CHECKPOINTS).find(Filters.eq("_id", rule)).first();
      if (document == null) {
        return Optional.empty();
      }
      return Optional.of(
          new Checkpoint(
              document.get("position", Number.class).longValue(),
              document.get("lsn", Number.class).longValue(),
              document.get("commit_time", Number.class).longValue()));
    } catch (MongoException e) {
      throw failure(
          "cannot read the checkpoint of rule " + rule + " from target " + config.name(), e);
    }
  }

  @Override
  public boolean needsPreparation(TableMapping mapping, TableMapping previous, boolean newerWins) {
    return !addedWithDefault(mapping, previous).isEmpty();
  }

  /**
   * Sets a column added on the source with a default (one this rule saw appear, in {@code
   * previous}'s successor) on every document that lacks the field: the rows that existed before it
   * was added, which the source filled without WAL rows.
   */
  @Override
  public List<String> prepare(TableMapping mapping, TableMapping previous, boolean newerWins)
      throws TargetException {
    List<String> done = new ArrayList<>();
    for (Column column : addedWithDefault(mapping, previous)) {
      Object value = MongoValues.value(ColumnDefault.value(column), column);
      try {
        long changed =
            collection(mapping)
                .updateMany(
                    Filters.exists(column.name(), false),
                    new Document("$set", new Document(column.name(), value)))
                .getModifiedCount();
        done.add(
            "set "
                + column.name()
                + " = "
                + column.defaultText()
                + " on "
                + changed
                + " documents of "
                + mapping.target().name()
                + " that lacked it");
      } catch (MongoException e) {
        throw failure(
            "cannot set the default of " + column.name() + " in " + mapping.target().name(), e);
      }
    }
    return done;
  }

  private static List<Column> addedWithDefault(TableMapping mapping, TableMapping previous) {
    if (previous == null) {
      return List.of();
    }
    List<Column> added = new ArrayList<>();
    for (Column column : mapping.columns()) {
      boolean isNew = previous.columns().stream().noneMatch(c -> c.name().equals(column.name()));
      if (isNew && ColumnDefault.value(column) != null) {
        added.add(column);
      }
    }
    return added;
  }

  private MongoCollection<Document> collection(TableMapping mapping) {
    return database.getCollection(mapping.target().name());
  }

  /**
   * The {@code _id} of a row: the key value, or a document of the key columns.
   *
   * @throws IllegalArgumentException when it holds a field name that MongoDB refuses inside {@code
   *     _id} (one starting with {@code $} or containing {@code .}, from a json key or a column
   *     name)
   */
  static Object id(TableMapping mapping, Object[] key) {
    Object id;
    if (key.length == 1) {
      id = MongoValues.value(key[0], mapping.columns().get(mapping.key()[0]));
    } else {
      Document document = new Document();
      for (int k = 0; k < key.length; k++) {
        Column column = mapping.columns().get(mapping.key()[k]);
        document.append(column.name(), MongoValues.value(key[k], column));
      }
      id = document;
    }
    refuseReservedNames(id, mapping);
    return id;
  }

  private static void refuseReservedNames(Object value, TableMapping mapping) {
    if (value instanceof Document document) {
      for (Map.Entry<String, Object> field : document.entrySet()) {
        String name = field.getKey();
        if (name.startsWith("$") || name.contains(".")) {
          throw new IllegalArgumentException(
              "the key of "
                  + mapping.source().table()
                  + " holds the field name '"
                  + name
                  + "', and MongoDB allows no field name that starts with '$' or contains '.'"
                  + " inside _id");
        }
        refuseReservedNames(field.getValue(), mapping);
      }
    } else if (value instanceof List<?> list) {
      list.forEach(element -> refuseReservedNames(element, mapping));
    }
  }

  /**
   * The filter that matches the document whose {@code _id} equals {@code id}, compared as data with
   * {@code $eq}: a bare {@code {_id: id}} would read a key value such as {@code {"$ne": null}} as
   * an operator and match any document.
   */
  static Bson idEquals(Object id) {
    return new Document("_id", new Document("$eq", id));
  }

  @Override
  public int write(TableMapping mapping, List<RowOp> operations, boolean newerWins)
      throws TargetException {
    List<WriteModel<Document>> writes = new ArrayList<>(operations.size());
    try {
      for (RowOp op : operations) {
        writes.add(model(mapping, op, newerWins));
      }
    } catch (IllegalArgumentException e) {
      throw new TargetException(
          "a value for " + mapping.target() + " cannot be stored in MongoDB: " + e.getMessage(),
          false,
          e);
    }
    if (writes.isEmpty()) {
      return 0;
    }
    try {
      collection(mapping).bulkWrite(writes, new BulkWriteOptions().ordered(false));
    } catch (MongoBulkWriteException e) {
      for (BulkWriteError error : e.getWriteErrors()) {
        boolean newerExists =
            newerWins
                && ErrorCategory.fromErrorCode(error.getCode()) == ErrorCategory.DUPLICATE_KEY;
        if (!newerExists) {
          throw new TargetException(
              "writing "
                  + mapping.target()
                  + " on target "
                  + config.name()
                  + " failed: "
                  + error.getMessage(),
              false,
              e);
        }
      }
    } catch (MongoException e) {
      throw failure("writing " + mapping.target() + " on target " + config.name() + " failed", e);
    }
    return 0;
  }

  private static WriteModel<Document> model(TableMapping mapping, RowOp op, boolean newerWins) {
    Bson filter = idEquals(id(mapping, op.key()));
    if (newerWins) {
      filter =
          Filters.and(
              filter,
              Filters.or(
                  Filters.exists(SqlDialect.COMMIT_TIME_COLUMN, false),
                  Filters.lte(SqlDialect.COMMIT_TIME_COLUMN, op.commitMicros())));
    }
    if (op.kind() == RowOp.Kind.DELETE) {
      return new DeleteOneModel<>(filter);
    }
    Document set = new Document();
    for (int i = 0; i < mapping.columns().size(); i++) {
      Object value = op.row()[i];
      if (value != Unavailable.UNCHANGED_TOAST && value != Unavailable.ABSENT) {
        Column column = mapping.columns().get(i);
        set.append(column.name(), value(value, column));
      }
    }
    if (newerWins) {
      set.append(SqlDialect.COMMIT_TIME_COLUMN, op.commitMicros());
    }
    Document update =
        op.kind() == RowOp.Kind.INSERT
            ? new Document("$setOnInsert", set)
            : new Document("$set", set);
    return new UpdateOneModel<>(
        filter, update, new UpdateOptions().upsert(op.kind() != RowOp.Kind.UPDATE));
  }

  @Override
  public int move(TableMapping mapping, Object[] fromKey, RowOp op, boolean newerWins)
      throws TargetException {
    try {
      MongoCollection<Document> collection = collection(mapping);
      Document old = collection.find(Filters.eq("_id", id(mapping, fromKey))).first();
      if (old == null) {
        return 1;
      }
      Document moved = new Document(old);
      moved.put("_id", id(mapping, op.key()));
      for (int i = 0; i < mapping.columns().size(); i++) {
        Object value = op.row()[i];
        if (value != Unavailable.UNCHANGED_TOAST && value != Unavailable.ABSENT) {
          Column column = mapping.columns().get(i);
          moved.put(column.name(), value(value, column));
        }
      }
      if (newerWins) {
        moved.put(SqlDialect.COMMIT_TIME_COLUMN, op.commitMicros());
      }
      collection.replaceOne(
          Filters.eq("_id", moved.get("_id")), moved, new ReplaceOptions().upsert(true));
      collection.deleteOne(Filters.eq("_id", old.get("_id")));
      return 0;
    } catch (IllegalArgumentException e) {
      throw new TargetException(
          "a value for " + mapping.target() + " cannot be stored in MongoDB: " + e.getMessage(),
          false,
          e);
    } catch (MongoException e) {
      throw failure(
          "moving a row of " + mapping.target() + " on target " + config.name() + " failed", e);
    }
  }

  /** A value as MongoDB holds it; a value it cannot hold is refused naming its column. */
  private static Object value(Object value, Column column) {
    try {
      return MongoValues.value(value, column);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " (column " + column.name() + ")", e);
    }
  }

  @Override
  public void truncate(TableMapping mapping) throws TargetException {
    try {
      collection(mapping).deleteMany(new Document());
    } catch (MongoException e) {
      throw failure(
          "truncating " + mapping.target() + " on target " + config.name() + " failed", e);
    }
  }

  @Override
  public void savepoint() {}

  @Override
  public void rollbackToSavepoint() {}

  @Override
  public void commit(String rule, Checkpoint checkpoint) throws TargetException {
    try {
      database
          .getCollection(CHECKPOINTS)
          .replaceOne(
              Filters.eq("_id", rule),
              new Document("position", checkpoint.position())
                  .append("lsn", checkpoint.lsn())
                  .append("commit_time", checkpoint.commitTimeMicros())
                  .append("updated_at", Instant.now().toString()),
              new ReplaceOptions().upsert(true));
    } catch (MongoException e) {
      throw failure(
          "writing the checkpoint of rule " + rule + " on target " + config.name() + " failed", e);
    }
  }

  @Override
  public void commitWithoutCheckpoint() {}

  @Override
  public void rollback() {}

  private MongoCollection<Document> keys(TableMapping mapping) {
    return database.getCollection("sluice_mirror_" + mapping.target().name());
  }

  @Override
  public void mirrorBegin(TableMapping mapping) throws TargetException {
    try {
      keys(mapping).drop();
    } catch (MongoException e) {
      throw failure("cannot prepare the mirror of " + mapping.target(), e);
    }
  }

  @Override
  public void mirrorSeen(TableMapping mapping, List<Object[]> seen) throws TargetException {
    List<WriteModel<Document>> writes = new ArrayList<>(seen.size());
    try {
      for (Object[] key : seen) {
        writes.add(
            new UpdateOneModel<>(
                idEquals(id(mapping, key)),
                new Document("$setOnInsert", new Document()),
                new UpdateOptions().upsert(true)));
      }
    } catch (IllegalArgumentException e) {
      throw new TargetException(
          "a key of " + mapping.target() + " cannot be stored in MongoDB: " + e.getMessage(),
          false,
          e);
    }
    try {
      if (!writes.isEmpty()) {
        keys(mapping).bulkWrite(writes, new BulkWriteOptions().ordered(false));
      }
    } catch (MongoException e) {
      throw failure("cannot record the mirror keys of " + mapping.target(), e);
    }
  }

  @Override
  public long mirrorFinish(TableMapping mapping) throws TargetException {
    long deleted = 0;
    try (MongoCursor<Document> ids =
        collection(mapping)
            .find()
            .projection(Projections.include("_id"))
            .batchSize(1000)
            .iterator()) {
      List<Object> batch = new ArrayList<>(1000);
      while (ids.hasNext()) {
        batch.add(ids.next().get("_id"));
        if (batch.size() == 1000 || !ids.hasNext()) {
          deleted += deleteUnseen(mapping, batch);
          batch.clear();
        }
      }
      keys(mapping).drop();
      return deleted;
    } catch (MongoException e) {
      throw failure(
          "cannot remove the documents of " + mapping.target() + " that left the source", e);
    }
  }

  private long deleteUnseen(TableMapping mapping, List<Object> batch) {
    Set<Object> seen = new HashSet<>();
    for (Document document :
        keys(mapping).find(Filters.in("_id", batch)).projection(Projections.include("_id"))) {
      seen.add(document.get("_id"));
    }
    List<Object> unseen = batch.stream().filter(id -> !seen.contains(id)).toList();
    return unseen.isEmpty()
        ? 0
        : collection(mapping).deleteMany(Filters.in("_id", unseen)).getDeletedCount();
  }

  private static TargetException failure(String what, MongoException e) {
    boolean retriable =
        e instanceof MongoSocketException
            || e instanceof MongoTimeoutException
            || e.hasErrorLabel("RetryableWriteError");
    if (e instanceof MongoSecurityException) {
      retriable = false;
    }
    return new TargetException(
        what + ": " + e.getMessage().lines().findFirst().orElse(""), retriable, e);
  }

  @Override
  public void close() {
    client.close();
  }
}
