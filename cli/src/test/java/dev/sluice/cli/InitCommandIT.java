package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice init} against a real source: the file it writes, its warnings, its refusals. */
class InitCommandIT {
  @RegisterExtension static final PostgresExtension SOURCE = new PostgresExtension("init-source");

  private static final String SOURCE_PASSWORD = "init-S0urce-pw";
  private static final String MONGO_PASSWORD = "init-M0ngo-pw";
  private static final String MARIADB_PASSWORD = "init-M4ria-pw";

  @TempDir Path dir;

  @BeforeAll
  static void createTables() {
    PostgresCluster pg = SOURCE.cluster();
    pg.execute("CREATE DATABASE shop", "CREATE ROLE plain LOGIN");
    pg.executeIn(
        "shop",
        "CREATE TABLE orders(id int PRIMARY KEY, note text, total numeric)",
        "CREATE TABLE customers(id int PRIMARY KEY, name varchar(40))",
        "CREATE TABLE audit_log(at timestamptz, what text)",
        "CREATE SCHEMA inventory",
        "CREATE TABLE inventory.items(sku text PRIMARY KEY)",
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO plain");
  }

  private String sourceUrl(String user, String password) {
    return "postgres://"
        + user
        + ":"
        + password
        + "@127.0.0.1:"
        + SOURCE.cluster().port()
        + "/shop";
  }

  @Test
  void initWritesACommentedStarterFileThatValidateAcceptsAndThatKeepsNoPassword() throws Exception {
    Path file = dir.resolve("sluice.yaml");

    CliRun run =
        CliRun.of(
            "init",
            "--source",
            sourceUrl("postgres", SOURCE_PASSWORD),
            "--target",
            "mongodb://app:" + MONGO_PASSWORD + "@10.1.2.3:27017/analytics?authSource=admin",
            "--target",
            "jdbc:mariadb://127.0.0.1:3306/test?user=root&password=" + MARIADB_PASSWORD,
            "--target",
            "jdbc:sqlite:./mirror.db",
            "--output",
            file.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    String yaml = Files.readString(file);
    assertThat(yaml)
        .startsWith("# yaml-language-server: $schema=sluice.schema.json\n")
        .contains("password: ${SLUICE_SOURCE_PASSWORD}")
        .contains("mongodb://app:${SLUICE_TARGET_MONGODB_10_1_2_3_PASSWORD}@10.1.2.3:27017")
        .contains("password: ${SLUICE_TARGET_MARIADB_TEST_PASSWORD}")
        .contains(
            "- name: to-mongodb-10.1.2.3", "- name: to-mariadb-test", "- name: to-sqlite-mirror")
        .contains("public.audit_log has no primary key")
        .contains("ALTER TABLE \"public\".\"audit_log\" REPLICA IDENTITY FULL;")
        .contains("public.orders (note, total)")
        .contains("inventory.items");
    assertThat(yaml + run.out()).doesNotContain(SOURCE_PASSWORD, MONGO_PASSWORD, MARIADB_PASSWORD);
    assertThat(run.out())
        .contains("SLUICE_SOURCE_PASSWORD", "SLUICE_TARGET_MARIADB_TEST_PASSWORD")
        .contains("note: public.audit_log has no primary key");
    assertThat(dir.resolve("sluice.schema.json")).exists();

    Map<String, String> environment =
        Map.of(
            "SLUICE_SOURCE_PASSWORD", SOURCE_PASSWORD,
            "SLUICE_TARGET_MONGODB_10_1_2_3_PASSWORD", MONGO_PASSWORD,
            "SLUICE_TARGET_MARIADB_TEST_PASSWORD", MARIADB_PASSWORD);
    SluiceConfig config = new ConfigLoader(environment).load(file);
    assertThat(config.source().password().reveal()).isEqualTo(SOURCE_PASSWORD);
    assertThat(config.rules()).hasSize(3);
    assertThat(config.targets().get("mongodb-10.1.2.3").url()).contains(MONGO_PASSWORD);
    assertThat(config.targets().get("mariadb-test").user()).isEqualTo("root");
    assertThat(
            JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
                .getSchema(Files.readString(dir.resolve("sluice.schema.json")))
                .validate(new YAMLMapper().readTree(yaml)))
        .isEmpty();

    Path log = dir.resolve("validate.log");
    try (SluiceProcess validate =
        SluiceProcess.start(List.of(), environment, log, "validate", "-c", file.toString())) {
      assertThat(validate.waitFor(Duration.ofSeconds(60))).as(validate.log()).isZero();
    }
    assertThat(Files.readString(log, StandardCharsets.UTF_8))
        .contains("configuration is valid")
        .doesNotContain(SOURCE_PASSWORD, MONGO_PASSWORD, MARIADB_PASSWORD);
  }

  @Test
  void initWithoutPasswordsWritesAFileThatValidatesAsItIs() throws Exception {
    Path file = dir.resolve("plain.yaml");

    CliRun init =
        CliRun.of(
            "init",
            "--source",
            SOURCE.cluster().jdbcUrl("shop") + "?user=postgres",
            "-o",
            file.toString());
    CliRun validate = CliRun.of("validate", "-c", file.toString());

    assertThat(init.exitCode()).as(init.err()).isZero();
    assertThat(Files.readString(file))
        .contains("# password: ${SLUICE_SOURCE_PASSWORD}")
        .contains("# targets:");
    assertThat(validate.exitCode()).as(validate.err()).isZero();
  }

  @Test
  void initWarnsWithTheSqlToRunWhenTheUserMayNotReplicate() throws Exception {
    Path file = dir.resolve("sluice.yaml");

    CliRun run =
        CliRun.of(
            "init",
            "--source",
            sourceUrl("plain", "x"),
            "--target",
            "jdbc:sqlite:m.db",
            "-o",
            file.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("warning: the user 'plain' may not open replication connections")
        .contains("fix: ALTER ROLE \"plain\" WITH REPLICATION;")
        .contains("next: make the changes above on the source");
    assertThat(Files.readString(file))
        .contains("# BEFORE CAPTURE CAN START, change this on the source:")
        .contains("#       ALTER ROLE \"plain\" WITH REPLICATION;");
  }

  @Test
  void initRefusesToReplaceAFileUnlessForced() throws Exception {
    Path file = dir.resolve("sluice.yaml");
    Files.writeString(file, "# mine\n");
    String source = sourceUrl("postgres", "x");

    CliRun refused = CliRun.of("init", "--source", source, "-o", file.toString());

    assertThat(refused.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(refused.err()).contains("exists; use --force to replace it");
    assertThat(Files.readString(file)).isEqualTo("# mine\n");

    CliRun forced = CliRun.of("init", "--source", source, "-o", file.toString(), "--force");

    assertThat(forced.exitCode()).as(forced.err()).isZero();
    assertThat(Files.readString(file)).contains("source:");
  }

  @Test
  void initRefusesATargetUrlItDoesNotKnowWithExitCode2() {
    CliRun run =
        CliRun.of(
            "init",
            "--source",
            sourceUrl("postgres", "x"),
            "--target",
            "redis://user:hidden@127.0.0.1:6379",
            "-o",
            dir.resolve("x.yaml").toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).contains("is not a database URL Sluice knows").doesNotContain("hidden");
    assertThat(dir.resolve("x.yaml")).doesNotExist();
  }

  @Test
  void initChoosesAnotherSlotWhenSluiceIsTakenAndPointsAtIdleSlotsThatKeepWal() throws Exception {
    PostgresCluster pg = SOURCE.cluster();
    pg.execute("SELECT pg_create_logical_replication_slot('sluice', 'pgoutput')");
    try {
      pg.executeIn(
          "shop",
          "CREATE TABLE churn(id int PRIMARY KEY)",
          "INSERT INTO churn SELECT generate_series(1, 1000)",
          "DROP TABLE churn");
      Path file = dir.resolve("sluice.yaml");

      CliRun run = CliRun.of("init", "--source", sourceUrl("postgres", "x"), "-o", file.toString());

      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(Files.readString(file)).contains("  slot: sluice_shop\n");
      assertThat(run.out())
          .contains("the replication slot 'sluice' (pgoutput) is not in use and keeps")
          .contains("SELECT pg_drop_replication_slot('sluice');");
    } finally {
      pg.execute("SELECT pg_drop_replication_slot('sluice')");
    }
  }

  @Test
  void theJsonSchemaCommandPrintsTheSchemaAndWritesItToAFile() throws Exception {
    CliRun printed = CliRun.of("schema");
    CliRun written = CliRun.of("schema", "--output", dir.resolve("s.json").toString());

    assertThat(printed.exitCode()).isZero();
    assertThat(new ObjectMapper().readTree(printed.out()).get("properties").has("source")).isTrue();
    assertThat(written.exitCode()).isZero();
    assertThat(Files.readString(dir.resolve("s.json"))).isEqualTo(printed.out());
  }
}
