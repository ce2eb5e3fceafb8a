package dev.sluice.config;

import java.time.Duration;

/**
 * The HTTP server of the dashboard and API.
 *
 * @param host the address it binds; a non-loopback one needs a token
 * @param port the port; 0 picks a free one
 * @param token the bearer token every request must carry, or null for none
 * @param poll how often figures are refreshed (also the replica probe interval)
 */
public record MonitorConfig(String host, int port, Secret token, Duration poll) {}
