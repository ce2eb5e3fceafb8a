package dev.sluice.config;

/** Which version of a row wins when a target row was changed by someone else. */
public enum ConflictPolicy implements YamlEnum {
  /** The source's change is applied. */
  SOURCE_WINS,
  /** The change is applied only when its source commit time is newer than the row's. */
  NEWER_WINS
}
