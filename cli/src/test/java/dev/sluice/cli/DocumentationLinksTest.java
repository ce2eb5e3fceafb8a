package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documentation's links: every relative link of {@code README.md}, {@code SECURITY.md} (when
 * present) and the pages under {@code docs/} reaches a file of the repository, and every anchor a
 * heading of the page it names; every page under {@code docs/} is in the README's map. The checker
 * itself is tested on pages written here, broken on purpose. The repository's root is the parent of
 * this module's directory (where Maven runs the tests).
 */
class DocumentationLinksTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private static List<Path> documentation() throws IOException {
    assertThat(ROOT.resolve("README.md"))
        .as("the repository's root, the parent of the module directory the test runs in")
        .isRegularFile();
    List<Path> pages = new ArrayList<>();
    pages.add(ROOT.resolve("README.md"));
    if (Files.exists(ROOT.resolve("SECURITY.md"))) {
      pages.add(ROOT.resolve("SECURITY.md"));
    }
    pages.addAll(docsPages());
    return pages;
  }

  private static List<Path> docsPages() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT.resolve("docs"))) {
      return files.filter(f -> f.toString().endsWith(".md")).sorted().toList();
    }
  }

  @Test
  void everyRelativeLinkOfTheDocumentationReachesAFileAndEveryAnchorAHeading() throws Exception {
    List<Path> pages = documentation();
    assertThat(pages).hasSizeGreaterThan(1);

    assertThat(MarkdownLinks.check(ROOT, pages)).isEmpty();
  }

  @Test
  void everyPageUnderDocsIsInTheReadmesMap() throws Exception {
    List<String> linked =
        MarkdownLinks.destinations(Files.readString(ROOT.resolve("README.md"))).stream()
            .map(Map.Entry::getValue)
            .map(link -> link.replaceFirst("#.*", ""))
            .toList();

    for (Path page : docsPages()) {
      assertThat(linked)
          .as("the README's map of the docs links %s", ROOT.relativize(page))
          .contains(ROOT.relativize(page).toString());
    }
  }

  @Test
  void aLinkToAFileThatDoesNotExistIsReportedWithItsPageAndLine(@TempDir Path dir)
      throws Exception {
    Files.createDirectories(dir.resolve("docs"));
    Files.writeString(
        dir.resolve("docs/a.md"), "# A\n\nSee [b](b.md), [c](c.md)\nand [up](../README.md).\n");
    Files.writeString(dir.resolve("docs/b.md"), "# B\n");

    assertThat(MarkdownLinks.check(dir, List.of(dir.resolve("docs/a.md"))))
        .extracting(Object::toString)
        .containsExactly(
            "docs/a.md:3: (c.md) no such file: docs/c.md",
            "docs/a.md:4: (../README.md) no such file: README.md");
  }

  @Test
  void anAnchorThatNoHeadingOfTheLinkedPageProducesIsReported(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("guide.md"),
        """
        # Guide

        ## `replicas:`, `monitor:`, `state:`

        Good: [here](#replicas-monitor-state), [there](other.md#setup-step-1).
        Broken: [here](#replicas), [there](other.md#set-up).
        """);
    Files.writeString(dir.resolve("other.md"), "# Other\n\n## Setup: step 1 ##\n");

    assertThat(MarkdownLinks.check(dir, List.of(dir.resolve("guide.md"))))
        .extracting(Object::toString)
        .containsExactly(
            "guide.md:6: (#replicas) no heading of guide.md produces #replicas (its anchors: guide,"
                + " replicas-monitor-state)",
            "guide.md:6: (other.md#set-up) no heading of other.md produces #set-up (its anchors:"
                + " other, setup-step-1)");
  }

  @Test
  void linksInCodeAreNotLinksAndLinksWithASchemeAreNotFollowed(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("page.md"),
        """
        # Page

        ```markdown
        [inside a fence](missing.md)
        # not a heading
        ```

        A code span `[x](missing.md)` that wraps `from one line
        to the next [y](missing.md)`, and MySQL's `` `[z](missing.md)` ``.
        [web](https://example.org/missing.md), [mail](mailto:someone@example.org), <https://example.org>.
        ![picture](images/missing.png) and <img src="images/gone.png"> and [ref]: not-a-definition.md

        [ref]: gone.md
        """);

    assertThat(MarkdownLinks.check(dir, List.of(dir.resolve("page.md"))))
        .extracting(Object::toString)
        .containsExactly(
            "page.md:11: (images/missing.png) no such file: images/missing.png",
            "page.md:11: (images/gone.png) no such file: images/gone.png",
            "page.md:13: (gone.md) no such file: gone.md");
    assertThat(MarkdownLinks.anchors(Files.readString(dir.resolve("page.md"))))
        .containsExactly("page");
  }

  @Test
  void anchorsFollowGitHubsRules() {
    assertThat(
            MarkdownLinks.anchors(
                """
                # Guarantees, and their limits
                ## Promotion: `sluice promote -c sluice.yaml --group app --node standby-1 [--force]`
                ### `replay`, `verify`, `status`
                ## Modes
                ## Modes
                ## Modes 1
                ## From [Java](https://example.org): routing DataSources ##
                ## Größe & Ünïcode – snake_case 😀
                """))
        .containsExactly(
            "guarantees-and-their-limits",
            "promotion-sluice-promote--c-sluiceyaml---group-app---node-standby-1---force",
            "replay-verify-status",
            "modes",
            "modes-1",
            "modes-1-1",
            "from-java-routing-datasources",
            "größe--ünïcode--snake_case-");
  }
}
