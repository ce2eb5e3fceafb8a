package dev.sluice.config;

/** Which version of a row wins when a target row was changed by someone else. */
public enum ConflictPolicy implements YamlEnum {
  /** The source's change is applied. */
  SOURCE_WINS,
  /** The change is applied only when its source commit time is newer than the row's. */
  NEWER_WINS,
  /**
   * Bidirectional rules only (and their default): the change is applied only when its origin's
   * commit time is later than that of the transaction that last wrote the row on this side; equal
   * times go to the node whose name sorts first.
   */
  LAST_UPDATE_WINS
}
