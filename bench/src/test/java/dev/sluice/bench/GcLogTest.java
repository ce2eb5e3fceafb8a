package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcLogTest {
  @Test
  void theHeapPeakIsTheLargestOccupancyBeforeAPause(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("gc.log");
    Files.writeString(
        log,
        """
        [0.004s][info][gc] Using G1
        [0.512s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->3M(256M) 2.345ms
        [1.020s][info][gc] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 131M->40M(256M) 4.1ms
        [1.030s][info][gc] GC(2) Concurrent Mark Cycle
        [2.100s][info][gc] GC(3) Pause Young (Normal) (G1 Evacuation Pause) 97M->35M(256M) 3.0ms
        """);
    assertThat(MemoryScenario.heapPeakMegabytes(log)).isEqualTo(131.0);
  }
}
