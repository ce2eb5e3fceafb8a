package dev.sluice.capture.internal;

import io.debezium.config.CommonConnectorConfig;
import io.debezium.connector.AbstractSourceInfo;
import io.debezium.connector.SnapshotRecord;
import io.debezium.connector.SourceInfoStructMaker;
import io.debezium.connector.postgresql.SourceInfo;
import io.debezium.schema.SchemaFactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Instant;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * The {@code source} block of the engine's change records ({@code sourceinfo.struct.maker}), with
 * only what Sluice and the engine itself read: the table's schema and name, the transaction id, the
 * commit time ({@code ts_ms}, {@code ts_us}), the snapshot flag and the transaction's replication
 * origin ({@code origin}, when pgoutput sent one: bidirectional rules know their peer's writes by
 * it). Debezium's own maker also writes the connector's name and version, the server and database
 * names, {@code ts_ns} and the {@code sequence} (two LSNs written as a JSON array by Jackson, per
 * change), none of which Sluice reads: its journal takes positions from the record's offset. {@code
 * lsn} and {@code xmin} stay in the schema (optional, not filled) because the engine's metadata
 * provider looks them up by name.
 *
 * <p>{@link SourceInfo} keeps the table, the transaction id and the commit time behind methods that
 * are not public; they are reached through method handles, looked up once. An engine upgrade that
 * removes them fails at the connector's start with a message naming the method, not silently.
 *
 * <p>Thread-safe (stateless after {@link #init}).
 */
public final class SourceStructMaker implements SourceInfoStructMaker<SourceInfo> {
  private static final MethodHandle SCHEMA_NAME = accessor("schemaName", String.class);
  private static final MethodHandle TABLE_NAME = accessor("tableName", String.class);
  private static final MethodHandle TX_ID = accessor("txId", Long.class);
  private static final MethodHandle TIMESTAMP = accessor("timestamp", Instant.class);

  private Schema schema;

  @Override
  public void init(String connector, String version, CommonConnectorConfig connectorConfig) {
    schema =
        SchemaBuilder.struct()
            .name("dev.sluice.capture.Source")
            .field(AbstractSourceInfo.TIMESTAMP_KEY, Schema.INT64_SCHEMA)
            .field(AbstractSourceInfo.TIMESTAMP_US_KEY, Schema.OPTIONAL_INT64_SCHEMA)
            .field(AbstractSourceInfo.SNAPSHOT_KEY, SchemaFactory.get().snapshotRecordSchema())
            .field(SourceInfo.SCHEMA_NAME_KEY, Schema.STRING_SCHEMA)
            .field(SourceInfo.TABLE_NAME_KEY, Schema.STRING_SCHEMA)
            .field(SourceInfo.TXID_KEY, Schema.OPTIONAL_INT64_SCHEMA)
            .field(SourceInfo.LSN_KEY, Schema.OPTIONAL_INT64_SCHEMA)
            .field(SourceInfo.XMIN_KEY, Schema.OPTIONAL_INT64_SCHEMA)
            .field(SourceInfo.ORIGIN_KEY, Schema.OPTIONAL_STRING_SCHEMA)
            .build();
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public Struct struct(SourceInfo info) {
    try {
      Instant time = (Instant) TIMESTAMP.invokeExact(info);
      if (time == null) {
        time = Instant.now();
      }
      Struct struct =
          new Struct(schema)
              .put(AbstractSourceInfo.TIMESTAMP_KEY, time.toEpochMilli())
              .put(
                  AbstractSourceInfo.TIMESTAMP_US_KEY,
                  time.getEpochSecond() * 1_000_000L + time.getNano() / 1_000)
              .put(SourceInfo.SCHEMA_NAME_KEY, (String) SCHEMA_NAME.invokeExact(info))
              .put(SourceInfo.TABLE_NAME_KEY, (String) TABLE_NAME.invokeExact(info));
      String origin = info.originName();
      if (origin != null) {
        struct.put(SourceInfo.ORIGIN_KEY, origin);
      }
      SnapshotRecord snapshot = info.snapshot();
      if (snapshot != null) {
        snapshot.toSource(struct);
      }
      if (snapshot != SnapshotRecord.INCREMENTAL) {
        Long txId = (Long) TX_ID.invokeExact(info);
        if (txId != null) {
          struct.put(SourceInfo.TXID_KEY, txId);
        }
      }
      return struct;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  private static MethodHandle accessor(String name, Class<?> type) {
    try {
      return MethodHandles.privateLookupIn(SourceInfo.class, MethodHandles.lookup())
          .findVirtual(SourceInfo.class, name, MethodType.methodType(type))
          .asType(MethodType.methodType(type, SourceInfo.class));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "this Debezium version's "
              + SourceInfo.class.getName()
              + " has no "
              + name
              + "() returning "
              + type.getSimpleName()
              + ", which Sluice's source block reads",
          e);
    }
  }
}
