package dev.sluice.cli;

import dev.sluice.capture.SourceCheck;
import dev.sluice.capture.SourceConnection;
import dev.sluice.capture.SourceSurvey;
import dev.sluice.config.ConfigJsonSchema;
import dev.sluice.config.Dialect;
import dev.sluice.config.PostgresVersion;
import dev.sluice.config.Secret;
import dev.sluice.config.SetupException;
import dev.sluice.config.SnapshotMode;
import dev.sluice.config.SourceConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice init --source URL [--target URL]... [--output FILE] [--force]}: a commented starter
 * configuration from a look at the source.
 */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Write a starter sluice.yaml by looking at the source.",
      "Connects to the source (changing nothing; PostgreSQL 13 or newer), looks at its tables (with and without primary"
          + " keys, replica identity, TOAST-able columns), wal_level, the user's REPLICATION right"
          + " and the replication slots, and writes a commented configuration with one rule per"
          + " --target, and sluice.schema.json beside it for editors. What must change on the"
          + " source first is printed and written into the file as comments, each with the SQL"
          + " to run. Passwords in the URLs are used to connect but never written: the file refers"
          + " to environment variables (SLUICE_SOURCE_PASSWORD, SLUICE_TARGET_<NAME>_PASSWORD)."
          + " The source's password may also come from SLUICE_SOURCE_PASSWORD. An existing file is"
          + " kept unless --force (exit code 2)."
    })
final class InitCommand implements Callable<Integer> {
  @Option(
      names = "--source",
      required = true,
      paramLabel = "URL",
      description =
          "The PostgreSQL primary: jdbc:postgresql://host:5432/db?user=u&password=p or"
              + " postgres://u:p@host:5432/db.")
  String source;

  @Option(
      names = "--target",
      paramLabel = "URL",
      description =
          "A target (repeatable; one rule each): jdbc:postgresql://..., jdbc:mysql://...,"
              + " jdbc:mariadb://..., jdbc:sqlite:FILE or mongodb://...")
  List<String> targets = new ArrayList<>();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      defaultValue = "sluice.yaml",
      description = "Where to write the configuration (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--force", description = "Replace the file when it exists.")
  boolean force;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException, SQLException {
    PrintWriter out = spec.commandLine().getOut();
    if (Files.exists(output) && !force) {
      throw new SetupException(output + " exists; use --force to replace it");
    }
    DatabaseUrl sourceUrl = DatabaseUrl.parse(source);
    if (sourceUrl.dialect() != Dialect.POSTGRESQL) {
      throw new SetupException(
          "--source must be PostgreSQL (jdbc:postgresql://host:5432/db or postgres://...), not "
              + sourceUrl.kind());
    }
    List<DatabaseUrl> targetUrls = new ArrayList<>();
    for (String target : targets) {
      targetUrls.add(DatabaseUrl.parse(target));
    }
    String user = sourceUrl.user() == null ? "postgres" : sourceUrl.user();
    String password =
        sourceUrl.password() != null
            ? sourceUrl.password()
            : System.getenv(StarterConfig.SOURCE_PASSWORD);
    SourceConfig config = sourceConfig(sourceUrl, user, password, "sluice");
    StarterConfig starter;
    try (Connection connection = SourceConnection.open(config)) {
      PostgresVersion version = PostgresVersion.of(connection);
      out.println("init: the source runs " + version);
      out.flush();
      Optional<String> refusal = version.refusal("the source");
      if (refusal.isPresent()) {
        throw new SetupException(
            refusal.get()
                + "; nothing was written\n    fix: upgrade it to PostgreSQL "
                + PostgresVersion.OLDEST_SUPPORTED_MAJOR
                + " or newer, or give --source a server that runs one");
      }
      version.note().ifPresent(note -> out.println("note: " + note));
      SourceSurvey survey = SourceSurvey.of(connection);
      String slot = slotFor(survey, sourceUrl.database());
      SourceCheck.Report report =
          SourceCheck.inspect(sourceConfig(sourceUrl, user, password, slot), connection, false);
      starter = StarterConfig.of(sourceUrl, user, targetUrls, slot, survey, report, Instant.now());
    }
    Path absolute = output.toAbsolutePath();
    if (absolute.getParent() != null) {
      Files.createDirectories(absolute.getParent());
    }
    Files.writeString(output, starter.yaml(), StandardCharsets.UTF_8);
    Path schema = absolute.resolveSibling(ConfigJsonSchema.FILE_NAME);
    Files.writeString(schema, ConfigJsonSchema.json(), StandardCharsets.UTF_8);
    report(out, starter, schema);
    return ExitCode.OK;
  }

  private void report(PrintWriter out, StarterConfig starter, Path schema) {
    out.println("init: wrote " + output + " (and " + schema.getFileName() + " for editors)");
    List<StarterConfig.Advice> required =
        starter.advice().stream().filter(StarterConfig.Advice::required).toList();
    for (StarterConfig.Advice advice : required) {
      out.println("warning: " + advice.message());
      out.println("    fix: " + advice.fix());
    }
    for (StarterConfig.Advice advice : starter.advice()) {
      if (!advice.required()) {
        out.println("note: " + advice.message());
        if (advice.fix() != null) {
          out.println("    sql: " + advice.fix());
        }
      }
    }
    if (!starter.variables().isEmpty()) {
      out.println(
          "passwords are not written into the file; set these environment variables before"
              + " 'sluice validate' and 'sluice run':");
      for (Map.Entry<String, String> variable : starter.variables().entrySet()) {
        out.println("  " + variable.getKey() + "  (" + variable.getValue() + ")");
      }
    }
    out.println(
        required.isEmpty()
            ? "next: sluice validate -c " + output + " --dry-run, then sluice run -c " + output
            : "next: make the changes above on the source, then sluice validate -c "
                + output
                + " --dry-run");
    out.flush();
  }

  /** The default slot, unless another database or plugin already holds that name. */
  private static String slotFor(SourceSurvey survey, String database) {
    boolean taken =
        survey.slots().stream()
            .anyMatch(
                s ->
                    s.name().equals("sluice")
                        && (!s.database().equals(database) || !s.plugin().equals("pgoutput")));
    if (!taken) {
      return "sluice";
    }
    String slot =
        ("sluice_" + database.toLowerCase(java.util.Locale.ROOT)).replaceAll("[^a-z0-9_]", "_");
    return slot.length() > 63 ? slot.substring(0, 63) : slot;
  }

  private static SourceConfig sourceConfig(
      DatabaseUrl url, String user, String password, String slot) {
    return new SourceConfig(
        url.withoutCredentials(),
        user,
        password == null ? null : Secret.of(password),
        slot,
        "sluice",
        List.of(),
        SnapshotMode.INITIAL,
        Duration.ofSeconds(10));
  }
}
