package dev.sluice.cli;

import dev.sluice.config.ConfigJsonSchema;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice schema [--output FILE]}: the JSON Schema of sluice.yaml, for editors. */
@Command(
    name = "schema",
    mixinStandardHelpOptions = true,
    description = {
      "Print the JSON Schema (draft-07) of sluice.yaml, for editors.",
      "Generated from the same list of keys the configuration loader accepts. Save it beside"
          + " sluice.yaml and start the file with '# yaml-language-server:"
          + " $schema=sluice.schema.json' (VS Code's YAML extension), or map it to sluice.yaml in"
          + " IntelliJ (Languages & Frameworks > Schemas and DTDs > JSON Schema Mappings): keys are"
          + " completed, described and checked as you type. 'sluice init' writes both."
    })
final class SchemaCommand implements Callable<Integer> {
  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write the schema to FILE (replacing it) instead of printing it.")
  Path output;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    String schema = ConfigJsonSchema.json();
    if (output == null) {
      out.print(schema);
    } else {
      Files.writeString(output, schema, StandardCharsets.UTF_8);
      out.println("schema: wrote " + output);
    }
    out.flush();
    return ExitCode.OK;
  }
}
