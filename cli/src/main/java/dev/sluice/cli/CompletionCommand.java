package dev.sluice.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice completion bash|zsh}: a tab-completion script generated from the commands. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Print a tab-completion script for bash or zsh.",
      "Generated from the command line itself, so it knows every command and option. bash: add"
          + " 'source <(sluice completion bash)' to ~/.bashrc, or save it as"
          + " /etc/bash_completion.d/sluice. zsh: add 'source <(sluice completion zsh)' to ~/.zshrc;"
          + " the script is bash's, loaded through zsh's bashcompinit (it runs 'autoload compinit"
          + " bashcompinit' itself when it sees zsh)."
    })
final class CompletionCommand implements Callable<Integer> {
  /** The shells a script is made for. */
  enum Shell {
    BASH,
    ZSH
  }

  /** What the script itself completes after {@code sluice completion}. */
  static final class ShellNames extends java.util.ArrayList<String> {
    private static final long serialVersionUID = 1L;

    ShellNames() {
      super(java.util.List.of("bash", "zsh"));
    }
  }

  @Parameters(
      paramLabel = "SHELL",
      completionCandidates = ShellNames.class,
      description = "bash or zsh.")
  Shell shell;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    String script = AutoComplete.bash("sluice", spec.root().commandLine());
    if (shell == Shell.ZSH) {
      out.println("# sluice completion for zsh, through bashcompinit");
    }
    out.print(script);
    out.flush();
    return ExitCode.OK;
  }
}
