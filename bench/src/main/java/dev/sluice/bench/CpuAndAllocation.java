package dev.sluice.bench;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a side running in this JVM cost in CPU and allocation, from the JVM's own per-thread
 * counters: a reading before, one after, and the difference. Unlike wall-clock rates, these barely
 * move with the machine's other load, so they are what tells two versions of the code apart.
 *
 * <p>CPU: the process's CPU time (every thread, the collector's and the compiler's included); per
 * thread: each Java thread's CPU time. Allocation: bytes each Java thread allocated (exact counters
 * of the JVM, not samples). A thread that ended between the readings is not counted, so the second
 * reading is taken while the side still runs. Threads are grouped by name with digits replaced by
 * {@code #}. Immutable.
 *
 * @param processCpuNanos CPU time of the whole process, nanoseconds
 * @param threads per thread id: its name, CPU nanoseconds and allocated bytes
 */
public record CpuAndAllocation(long processCpuNanos, Map<Long, ThreadCost> threads) {

  /**
   * One thread's counters.
   *
   * @param name the thread's name
   * @param cpuNanos CPU time, nanoseconds
   * @param allocatedBytes bytes allocated
   */
  public record ThreadCost(String name, long cpuNanos, long allocatedBytes) {}

  /** The counters now. */
  public static CpuAndAllocation now() {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long[] ids = mx.getAllThreadIds();
    long[] cpu = mx.getThreadCpuTime(ids);
    long[] allocated = mx.getThreadAllocatedBytes(ids);
    Map<Long, ThreadCost> threads = new LinkedHashMap<>();
    for (int i = 0; i < ids.length; i++) {
      java.lang.management.ThreadInfo info = mx.getThreadInfo(ids[i]);
      if (info != null && cpu[i] >= 0 && allocated[i] >= 0) {
        threads.put(ids[i], new ThreadCost(info.getThreadName(), cpu[i], allocated[i]));
      }
    }
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return new CpuAndAllocation(os.getProcessCpuTime(), Map.copyOf(threads));
  }

  /** What happened between {@code this} (earlier) and {@code later}. */
  public Cost until(CpuAndAllocation later) {
    Map<String, long[]> groups = new TreeMap<>();
    long allocated = 0;
    for (Map.Entry<Long, ThreadCost> entry : later.threads.entrySet()) {
      ThreadCost after = entry.getValue();
      ThreadCost before = threads.get(entry.getKey());
      long cpu = after.cpuNanos() - (before == null ? 0 : before.cpuNanos());
      long bytes = after.allocatedBytes() - (before == null ? 0 : before.allocatedBytes());
      long[] group = groups.computeIfAbsent(after.name().replaceAll("\\d+", "#"), k -> new long[2]);
      group[0] += cpu;
      group[1] += bytes;
      allocated += bytes;
    }
    return new Cost(later.processCpuNanos - processCpuNanos, allocated, groups);
  }

  /**
   * The difference of two readings.
   *
   * @param processCpuNanos the process's CPU time
   * @param allocatedBytes bytes allocated by Java threads
   * @param byThreadGroup per thread name (digits as {@code #}): CPU nanoseconds and bytes
   */
  public record Cost(long processCpuNanos, long allocatedBytes, Map<String, long[]> byThreadGroup) {

    /** CPU seconds per million rows. */
    public double cpuSecondsPerMillion(long rows) {
      return processCpuNanos / 1e9 * 1e6 / rows;
    }

    /** Megabytes (2^20 bytes) allocated per million rows. */
    public double megabytesPerMillion(long rows) {
      return allocatedBytes / (double) (1 << 20) * 1e6 / rows;
    }

    /**
     * One line per thread group that used at least 1% of the CPU time or allocation, most CPU
     * first, per million rows: {@code name: CPU s, MB}.
     */
    public String describe(long rows) {
      StringBuilder b = new StringBuilder();
      long totalCpu = byThreadGroup.values().stream().mapToLong(v -> v[0]).sum();
      byThreadGroup.entrySet().stream()
          .filter(e -> e.getValue()[0] * 100 >= totalCpu || e.getValue()[1] * 100 >= allocatedBytes)
          .sorted((a, c) -> Long.compare(c.getValue()[0], a.getValue()[0]))
          .forEach(
              e ->
                  b.append(
                      String.format(
                          "      %-70s %7.2f CPU s %9.1f MB%n",
                          e.getKey(),
                          e.getValue()[0] / 1e9 * 1e6 / rows,
                          e.getValue()[1] / (double) (1 << 20) * 1e6 / rows)));
      return b.toString();
    }
  }
}
