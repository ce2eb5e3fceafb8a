package dev.sluice.config;

/** How the journal is made durable. */
public enum SyncPolicy implements YamlEnum {
  /**
   * The journal is synced to disk after each batch, before the source position advances: nothing is
   * lost even on power loss.
   */
  BATCH,
  /** Not synced explicitly: a process crash loses nothing, a power loss may. */
  NONE
}
