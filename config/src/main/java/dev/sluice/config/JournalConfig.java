package dev.sluice.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The local journal of changes.
 *
 * @param dir its directory (absolute)
 * @param retention how long changes are kept
 * @param sync how it is made durable
 */
public record JournalConfig(Path dir, Duration retention, SyncPolicy sync) {}
