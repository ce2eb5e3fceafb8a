package dev.sluice.monitor;

/**
 * The journal at a glance.
 *
 * @param dir its directory
 * @param firstPosition the oldest entry's position ({@code 20779:0}), or null when empty
 * @param lastPosition the newest entry's position, or null when empty
 * @param sizeBytes the size of its files on disk
 * @param days how many daily files it has
 * @param retention how long history is kept, as configured ({@code 7d})
 */
public record JournalView(
    String dir,
    String firstPosition,
    String lastPosition,
    long sizeBytes,
    int days,
    String retention) {}
