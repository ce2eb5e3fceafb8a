package dev.sluice.topology;

/** What a promotion did to the old master so that it accepts no new writes. */
public enum Fencing {
  /**
   * It was reachable and is now read-only: {@code default_transaction_read_only = on} set with
   * {@code ALTER SYSTEM} (so it survives its restart), configuration reloaded, and every client
   * session ended so that none keeps writing. Replication connections were kept, so the promoted
   * standby received everything the old master wrote. A client that explicitly sets {@code
   * transaction_read_only = off} could still write: stop the old master, or rejoin it, soon.
   */
  READ_ONLY,
  /**
   * It could not be reached, so it was not fenced: make sure it cannot come back as a writable
   * master (stop it, or rejoin it with {@code sluice rejoin} before clients reach it).
   */
  UNREACHABLE,
  /** It was reachable but refused to be fenced (missing rights), and the promotion was forced. */
  NOT_FENCED
}
