package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresVersionTest {
  @Test
  void aServerVersionIsReadAsItsServerVersionNumber() {
    assertThat(PostgresVersion.parse("15.20 (Debian 15.20-0+deb12u1)").number()).isEqualTo(150020);
    assertThat(PostgresVersion.parse("18.1").number()).isEqualTo(180001);
    assertThat(PostgresVersion.parse("13.22").number()).isEqualTo(130022);
    assertThat(PostgresVersion.parse("10.23").number()).isEqualTo(100023);
    assertThat(PostgresVersion.parse("9.6.24").number()).isEqualTo(90624);
    assertThat(PostgresVersion.parse("17devel").number()).isEqualTo(170000);
    assertThat(PostgresVersion.parse("16beta1").number()).isEqualTo(160000);
    assertThat(PostgresVersion.parse(" 14.0 ").number()).isEqualTo(140000);
  }

  @Test
  void theMajorAndTheShortTextLeaveOutTheServersExtraWords() {
    PostgresVersion debian = PostgresVersion.parse("15.20 (Debian 15.20-0+deb12u1)");
    assertThat(debian.major()).isEqualTo(15);
    assertThat(debian.shortText()).isEqualTo("15.20");
    assertThat(debian).hasToString("PostgreSQL 15.20 (Debian 15.20-0+deb12u1)");
    assertThat(PostgresVersion.parse("9.6.24").major()).isEqualTo(9);
    assertThat(PostgresVersion.parse("9.6.24").shortText()).isEqualTo("9.6.24");
    assertThat(PostgresVersion.parse("18.1").shortText()).isEqualTo("18.1");
  }

  @Test
  void twelveAndOlderAreRefusedNamingTheServerAndWhatIsNeeded() {
    for (String old : new String[] {"12.22", "12.0", "11.22", "10.23", "9.6.24", "8.4.22"}) {
      PostgresVersion version = PostgresVersion.parse(old);
      assertThat(version.isSupported()).as(old).isFalse();
      assertThat(version.refusal("the source"))
          .as(old)
          .contains(
              "the source runs PostgreSQL "
                  + old
                  + ", which Sluice does not support: it needs PostgreSQL 13 or newer (13 to 18"
                  + " are tested)");
    }
  }

  @Test
  void thirteenToEighteenAreSupportedWithoutANote() {
    for (String supported :
        new String[] {"13.0", "13.22", "14.19", "15.14", "16.10", "17.11", "18.1"}) {
      PostgresVersion version = PostgresVersion.parse(supported);
      assertThat(version.isSupported()).as(supported).isTrue();
      assertThat(version.refusal("the source")).as(supported).isEmpty();
      assertThat(version.note()).as(supported).isEmpty();
    }
  }

  @Test
  void aMajorNewerThanTheTestedOnesIsAcceptedWithANote() {
    PostgresVersion next = PostgresVersion.parse("19beta2");
    assertThat(next.isSupported()).isTrue();
    assertThat(next.note())
        .contains("PostgreSQL 19 is newer than the newest major Sluice is tested with (18)");
  }

  @Test
  void featuresAreJudgedByMajor() {
    assertThat(PostgresVersion.parse("16.10").hasFailoverSlots()).isFalse();
    assertThat(PostgresVersion.parse("17.0").hasFailoverSlots()).isTrue();
    assertThat(PostgresVersion.parse("18.1").hasFailoverSlots()).isTrue();
    assertThat(PostgresVersion.parse("13.22").atLeast(14)).isFalse();
    assertThat(PostgresVersion.parse("14.0").atLeast(14)).isTrue();
  }

  @Test
  void aStringWithoutAVersionIsOneClearError() {
    assertThatThrownBy(() -> PostgresVersion.parse("CockroachDB CCL v23.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "cannot tell the PostgreSQL version from server_version 'CockroachDB CCL v23.1'");
    assertThatThrownBy(() -> PostgresVersion.parse(""))
        .hasMessage("cannot tell the PostgreSQL version from server_version ''");
    assertThatThrownBy(() -> PostgresVersion.parse(null))
        .hasMessage("cannot tell the PostgreSQL version from server_version 'null'");
  }
}
