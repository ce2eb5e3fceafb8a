/**
 * How the configuration is read from YAML. Not an API: use {@link dev.sluice.config.ConfigLoader}.
 */
package dev.sluice.config.internal;
