package dev.sluice.journal;

/**
 * A journal at a glance.
 *
 * @param firstPosition the oldest entry's position, or {@link JournalPosition#NONE} when empty
 * @param lastPosition the newest entry's position, or {@link JournalPosition#NONE} when empty
 * @param sizeBytes the size of its files on disk
 * @param days how many daily files it has
 */
public record JournalStats(long firstPosition, long lastPosition, long sizeBytes, int days) {}
