package dev.sluice.config;

/** When the captured tables' existing rows are read before streaming changes. */
public enum SnapshotMode implements YamlEnum {
  /** Once, on the first start (when no capture position is stored yet). */
  INITIAL,
  /** Never: only changes made after capture starts. */
  NEVER,
  /** On every start. */
  ALWAYS
}
