/**
 * How the topology probes, routes, promotes and rejoins. Not an API: use {@link
 * dev.sluice.topology.Topology}.
 */
package dev.sluice.topology.internal;
