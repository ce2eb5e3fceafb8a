package dev.sluice.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.SetupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RolesFileTest {
  @TempDir Path dir;

  @Test
  void rolesWrittenAreReadBackAndOnlyTheOwnerCanReadThem() throws Exception {
    RolesFile file = RolesFile.besideState(dir.resolve("sluice-state.json"));
    Instant at = Instant.parse("2026-11-22T10:00:00.123Z");

    file.write(Roles.NONE.withMaster("app", "standby-1", "primary", at));

    assertThat(file.path()).isEqualTo(dir.resolve("topology-roles.json"));
    assertThat(file.read().groups())
        .containsEntry("app", new Roles.Master("standby-1", "primary", at));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path())))
        .isEqualTo("rw-------");
    assertThat(Files.list(dir)).containsExactly(file.path());
  }

  @Test
  void aMissingFileMeansTheConfiguredRoles() {
    assertThat(new RolesFile(dir.resolve("none.json")).read()).isEqualTo(Roles.NONE);
  }

  @Test
  void aDamagedFileIsASetupProblemThatSaysWhatToDo() throws Exception {
    Path path = dir.resolve("topology-roles.json");
    Files.writeString(path, "{\"groups\": {\"app\": {}}}");

    assertThatThrownBy(() -> new RolesFile(path).read())
        .isInstanceOf(SetupException.class)
        .hasMessageContaining("no \"master\"")
        .hasMessageContaining("removing it makes the configured roles apply");
  }
}
