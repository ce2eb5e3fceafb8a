package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine a run happened on, read from {@code /proc}. Immutable.
 *
 * @param cpus processors available to the JVM
 * @param memoryMegabytes total RAM (MemTotal), or -1 when unknown
 * @param cpuModel the first {@code model name} of {@code /proc/cpuinfo}, or {@code unknown}
 * @param java the running Java's version and vendor
 * @param os the operating system and kernel version
 */
public record Machine(int cpus, long memoryMegabytes, String cpuModel, String java, String os) {

  public static Machine current() {
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        memTotalMegabytes(),
        readCpuModel(),
        System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
        System.getProperty("os.name") + " " + System.getProperty("os.version"));
  }

  private static long memTotalMegabytes() {
    for (String line : lines("/proc/meminfo")) {
      if (line.startsWith("MemTotal:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }

  private static String readCpuModel() {
    for (String line : lines("/proc/cpuinfo")) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return "unknown";
  }

  private static List<String> lines(String file) {
    try {
      return Files.readAllLines(Path.of(file));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** One line for the table, e.g. {@code 2 CPUs (AMD EPYC), 23,975 MB RAM, Java 17.0.15}. */
  public String describe() {
    return String.format(
        "%d CPUs (%s), %,d MB RAM, Java %s, %s", cpus, cpuModel, memoryMegabytes, java, os);
  }
}
