/**
 * How rules are applied: mappings, coalescing, dialects and target sessions. Never use directly.
 */
package dev.sluice.apply.internal;
