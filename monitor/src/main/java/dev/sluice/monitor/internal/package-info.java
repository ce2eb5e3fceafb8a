/**
 * The monitor's HTTP machinery: routing, token checks, the SSE stream, the dashboard page and the
 * Prometheus exposition. Never use directly: {@link dev.sluice.monitor.MonitorServer} is the API.
 */
package dev.sluice.monitor.internal;
