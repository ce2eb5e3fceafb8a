package dev.sluice.apply.internal;

import dev.sluice.apply.TypeMapping;
import dev.sluice.config.TargetConfig;
import dev.sluice.journal.Column;
import java.util.Optional;
import org.bson.Document;

/** MongoDB's type mapping and reachability, for reports. */
public final class MongoTypes {
  private MongoTypes() {}

  public static TypeMapping map(Column column) {
    return MongoValues.map(column);
  }

  /** Empty when the target answers a ping, else why not. */
  public static Optional<String> ping(TargetConfig target) {
    try (var client = MongoTarget.client(target)) {
      String database = new com.mongodb.ConnectionString(target.url()).getDatabase();
      if (database == null) {
        return Optional.of("the URL names no database (mongodb://host:27017/database)");
      }
      client.getDatabase(database).runCommand(new Document("ping", 1));
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of(
          "cannot reach "
              + target.maskedUrl()
              + ": "
              + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
  }
}
