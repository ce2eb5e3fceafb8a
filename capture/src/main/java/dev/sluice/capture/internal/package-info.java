/**
 * How capture works inside: the engine, its records, offsets and the source catalog. Never use
 * directly.
 */
package dev.sluice.capture.internal;
