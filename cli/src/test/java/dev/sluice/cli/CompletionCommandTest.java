package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The completion scripts, checked and run by a real bash. */
class CompletionCommandTest {
  @TempDir Path dir;

  private record Result(int exitCode, String out) {}

  private Result bash(String... args) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(args).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), out);
  }

  private Path script(String shell) throws IOException {
    CliRun run = CliRun.of("completion", shell);
    assertThat(run.exitCode()).as(run.err()).isZero();
    Path file = dir.resolve("sluice." + shell);
    Files.writeString(file, run.out());
    return file;
  }

  /** What bash offers after typing {@code line} and pressing tab. */
  private String complete(Path script, String line, int word) throws Exception {
    String words = line.endsWith(" ") ? line + "''" : line;
    return bash(
            "bash",
            "-c",
            "source "
                + script
                + " 2>/dev/null; COMP_WORDS=("
                + words
                + "); COMP_CWORD="
                + word
                + "; COMP_LINE='"
                + line
                + "'; COMP_POINT=${#COMP_LINE}; _complete_sluice 2>/dev/null;"
                + " printf '%s\\n' \"${COMPREPLY[@]}\"")
        .out();
  }

  @Test
  void theBashScriptIsValidBash() throws Exception {
    Result check = bash("bash", "-n", script("bash").toString());

    assertThat(check.exitCode()).as(check.out()).isZero();
  }

  @Test
  void theBashScriptCompletesCommandNamesAndOptions() throws Exception {
    Path script = script("bash");

    assertThat(complete(script, "sluice in", 1).lines()).containsExactly("init");
    assertThat(complete(script, "sluice ", 1).lines())
        .contains("init", "run", "validate", "status", "schema", "completion");
    assertThat(complete(script, "sluice init --for", 2).lines()).containsExactly("--force");
    assertThat(complete(script, "sluice completion ", 2).lines()).containsExactly("bash", "zsh");
  }

  @Test
  void theZshScriptIsTheBashScriptLoadedThroughBashcompinit() throws Exception {
    String zsh = Files.readString(script("zsh"));

    assertThat(zsh).startsWith("# sluice completion for zsh").contains("bashcompinit");
    assertThat(bash("bash", "-n", script("zsh").toString()).exitCode()).isZero();
  }
}
