package dev.sluice.topology;

/**
 * What capture must do after a promotion in the group whose master is capture's source.
 *
 * <p>With a PostgreSQL 17 failover slot ({@code slot.failover=true} in Debezium, {@code
 * sync_replication_slots = on} on the standby) the slot is already on the new master at a position
 * no later than what capture has journaled: capture restarts against {@link #newSourceUrl()} and
 * resumes from its stored offset with no gap (changes it already has are recognised by source
 * position and dropped). Without it, capture must create its slot on the new master and re-read the
 * captured tables (incremental snapshot) so that every target converges.
 *
 * @param sourceMoved whether the old master was capture's source; when false nothing else here
 *     matters
 * @param newSourceUrl the new master's JDBC URL as configured (it may carry credentials: never log
 *     it unmasked)
 * @param slot capture's slot name ({@code source.slot})
 * @param slotPresent whether the slot exists on the new master and is not invalidated
 * @param slotSynchronized whether it is there because the standby synchronised it (a failover slot)
 * @param slotConfirmedFlushLsn the slot's confirmed position on the new master ({@code X/Y}), or
 *     null
 * @param advice what capture should do, in words, including why when the slot is missing
 */
public record CaptureHandover(
    boolean sourceMoved,
    String newSourceUrl,
    String slot,
    boolean slotPresent,
    boolean slotSynchronized,
    String slotConfirmedFlushLsn,
    String advice) {

  /** Whether capture can resume on the new master without re-reading the tables. */
  public boolean resumesWithoutGap() {
    return sourceMoved && slotPresent && slotSynchronized;
  }
}
