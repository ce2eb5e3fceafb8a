package dev.sluice.capture;

import dev.sluice.config.TableName;
import dev.sluice.journal.ReplicaIdentity;

/**
 * A table of the source, as its catalog describes it.
 *
 * @param name the table
 * @param hasPrimaryKey whether it has a primary key
 * @param identity its REPLICA IDENTITY
 */
public record SourceTable(TableName name, boolean hasPrimaryKey, ReplicaIdentity identity) {

  /** Whether updates and deletes of this table can be captured with their key. */
  public boolean isCapturable() {
    return identity == ReplicaIdentity.FULL
        || (hasPrimaryKey && identity == ReplicaIdentity.DEFAULT)
        || identity == ReplicaIdentity.INDEX;
  }
}
