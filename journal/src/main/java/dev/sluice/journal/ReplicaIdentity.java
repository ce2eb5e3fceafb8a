package dev.sluice.journal;

/** A source table's REPLICA IDENTITY: what old values PostgreSQL logs for updates and deletes. */
public enum ReplicaIdentity {
  /** The primary key's old values only (and only when the key changed, for updates). */
  DEFAULT,
  /** Every column's old value. */
  FULL,
  /** The columns of a chosen unique index. */
  INDEX,
  /** Nothing: updates and deletes cannot be replicated. */
  NOTHING;

  /** From {@code pg_class.relreplident}: d, f, i or n. */
  public static ReplicaIdentity ofCatalogCode(char code) {
    return switch (code) {
      case 'f' -> FULL;
      case 'i' -> INDEX;
      case 'n' -> NOTHING;
      default -> DEFAULT;
    };
  }
}
