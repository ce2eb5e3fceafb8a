package dev.sluice.bench;

import java.util.List;

/**
 * The JVM flags Chronicle Queue needs on Java 17 (as in the root pom's {@code sluice.jvm.flags}).
 */
final class JvmFlags {
  static final List<String> CHRONICLE =
      List.of(
          "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "-Dchronicle.analytics.disable=true");

  private JvmFlags() {}
}
