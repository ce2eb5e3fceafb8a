package dev.sluice.config;

/** How reads are spread over the fresh slaves of a replica group. */
public enum RoutingStrategy implements YamlEnum {
  ROUND_ROBIN,
  LEAST_LAG,
  RANDOM
}
