package dev.sluice.config;

/** A node's role in a replica group. */
public enum NodeRole implements YamlEnum {
  MASTER,
  SLAVE
}
