package dev.sluice.topology;

/**
 * A node's connection pool at one moment.
 *
 * @param active connections handed out
 * @param idle connections open and waiting in the pool
 * @param max the pool's maximum size
 */
public record PoolUsage(int active, int idle, int max) {}
