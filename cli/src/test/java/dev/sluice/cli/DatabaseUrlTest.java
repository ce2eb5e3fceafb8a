package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.Dialect;
import dev.sluice.config.SetupException;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

  @Test
  void aPostgresUriBecomesAJdbcUrlWithItsCredentialsTakenOut() {
    DatabaseUrl url =
        DatabaseUrl.parse("postgres://app:p%40ss@db.example:6432/shop?sslmode=require");

    assertThat(url.withoutCredentials())
        .isEqualTo("jdbc:postgresql://db.example:6432/shop?sslmode=require");
    assertThat(url.user()).isEqualTo("app");
    assertThat(url.password()).isEqualTo("p@ss");
    assertThat(url.database()).isEqualTo("shop");
    assertThat(url.toString()).doesNotContain("p@ss", "p%40ss");
  }

  @Test
  void jdbcUserAndPasswordParametersAreTakenOutAndOtherParametersKept() {
    DatabaseUrl url =
        DatabaseUrl.parse("jdbc:mariadb://127.0.0.1:3306/test?user=root&password=s3&useSsl=false");

    assertThat(url.dialect()).isEqualTo(Dialect.MYSQL);
    assertThat(url.kind()).isEqualTo("mariadb");
    assertThat(url.withoutCredentials())
        .isEqualTo("jdbc:mariadb://127.0.0.1:3306/test?useSsl=false");
    assertThat(url.user()).isEqualTo("root");
    assertThat(url.password()).isEqualTo("s3");
  }

  @Test
  void aMongoUrlKeepsItsUserAndRefersToTheEnvironmentForThePassword() {
    DatabaseUrl url =
        DatabaseUrl.parse("mongodb://app:secret@h1:27017,h2:27017/analytics?replicaSet=rs");

    assertThat(url.withPasswordReference("PW"))
        .isEqualTo("mongodb://app:${PW}@h1:27017,h2:27017/analytics?replicaSet=rs");
    assertThat(url.host()).isEqualTo("h1");
  }

  @Test
  void targetNamesComeFromKindAndHostOrTheDatabaseOnThisMachineAndAreUnique() {
    List<DatabaseUrl> urls =
        List.of(
            DatabaseUrl.parse("mongodb://10.0.0.5/analytics"),
            DatabaseUrl.parse("jdbc:postgresql://localhost/mirror"),
            DatabaseUrl.parse("jdbc:postgresql://localhost/mirror"),
            DatabaseUrl.parse("jdbc:sqlite:/var/lib/sluice/local.db"),
            DatabaseUrl.parse("jdbc:mysql://[::1]:3306/shop"));

    assertThat(StarterConfig.names(urls).keySet())
        .containsExactly(
            "mongodb-10.0.0.5",
            "postgres-mirror",
            "postgres-mirror-2",
            "sqlite-local",
            "mysql-shop");
  }

  @Test
  void anUnknownUrlIsRefusedWithoutShowingItsPassword() {
    assertThatThrownBy(() -> DatabaseUrl.parse("redis://u:hidden@h:6379"))
        .isInstanceOf(SetupException.class)
        .hasMessageContaining("not a database URL Sluice knows")
        .hasMessageNotContaining("hidden");
  }
}
