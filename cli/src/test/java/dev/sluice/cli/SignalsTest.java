package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Signals} in a JVM of its own, started as a shell or {@code nohup} would start it. */
class SignalsTest {

  /** Prints whether a SIGHUP handler could be installed, then whether it ran after a SIGHUP. */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
      boolean installed = Signals.onHangup(ran::countDown);
      new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid()))
          .start()
          .waitFor();
      System.out.println(installed + " " + ran.await(5, TimeUnit.SECONDS));
    }
  }

  private static String probe(String signalOption) throws Exception {
    List<String> command = new ArrayList<>(List.of("env", signalOption));
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
  }

  @Test
  void aSighupReloadsAProcessStartedWithTheDefaultDisposition() throws Exception {
    assertThat(probe("--default-signal=HUP")).endsWith("true true");
  }

  @Test
  void aProcessStartedWithSighupIgnoredAsUnderNohupSaysItCannotReloadOnIt() throws Exception {
    assertThat(probe("--ignore-signal=HUP")).endsWith("false false");
  }
}
