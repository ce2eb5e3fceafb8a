package dev.sluice.cli;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The relative links of Markdown pages, checked as GitHub resolves them: the file a link names must
 * exist inside the repository (relative to the linking page), and its anchor ({@code #...}) must be
 * one that a heading of the linked page produces.
 *
 * <p>What counts, as CommonMark reads it: inline links and images ({@code [text](dest)}, {@code
 * ![alt](dest "title")}), reference definitions ({@code [ref]: dest}) and {@code href}/{@code src}
 * of HTML; nothing inside fenced code blocks or code spans. Links with a scheme ({@code https:},
 * {@code mailto:}) are not followed. Headings are ATX headings ({@code ## Title}); an anchor is
 * GitHub's: the heading's text as rendered (code spans, links and HTML reduced to their text),
 * lowercased, every character that is not a letter, mark, digit, connector ({@code _}), space or
 * {@code -} dropped, each space turned into {@code -}; a repeated anchor gets {@code -1}, {@code
 * -2}, … in page order.
 */
final class MarkdownLinks {
  /** One broken link: the page and 1-based line it is on, its destination, and what is wrong. */
  record Problem(Path page, int line, String destination, String reason) {
    @Override
    public String toString() {
      return page + ":" + line + ": (" + destination + ") " + reason;
    }
  }

  private static final Pattern FENCE = Pattern.compile("^\\s*(`{3,}|~{3,})(.*)$");
  private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})[ \\t]+(.*)$");
  private static final Pattern CLOSING_HASHES = Pattern.compile("[ \\t]+#+[ \\t]*$");
  private static final Pattern CODE_SPAN = Pattern.compile("(`+)([\\s\\S]+?)(?<!`)\\1(?!`)");
  private static final Pattern INLINE_LINK =
      Pattern.compile(
          "!?\\[(?:[^\\[\\]]|\\[[^\\[\\]]*\\])*\\]\\(\\s*(<[^>\\n]*>|[^\\s()]*)(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern REFERENCE_DEFINITION =
      Pattern.compile("(?m)^ {0,3}\\[[^\\]]+\\]:[ \\t]*(<[^>\\n]*>|\\S+)");
  private static final Pattern HTML_ATTRIBUTE =
      Pattern.compile("\\b(?:href|src)\\s*=\\s*\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
  private static final Pattern LINE_ANCHOR = Pattern.compile("L\\d+(-L\\d+)?");
  private static final Pattern NOT_IN_ANCHOR = Pattern.compile("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]");

  private final Path root;
  private final Map<Path, Set<String>> anchorsByPage = new HashMap<>();

  private MarkdownLinks(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /**
   * Every broken relative link of {@code pages}, in page and line order; empty when all resolve.
   */
  static List<Problem> check(Path root, List<Path> pages) throws IOException {
    MarkdownLinks links = new MarkdownLinks(root);
    List<Problem> problems = new ArrayList<>();
    for (Path page : pages) {
      links.checkPage(page.toAbsolutePath().normalize(), problems);
    }
    return problems;
  }

  /** The anchors the headings of a page produce, in page order. */
  static Set<String> anchors(String markdown) {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> repeats = new HashMap<>();
    for (String line : outsideFences(markdown)) {
      Matcher heading = line == null ? null : HEADING.matcher(line);
      if (heading != null && heading.matches()) {
        String base = slug(renderedText(heading.group(2)));
        String anchor = base;
        while (anchors.contains(anchor)) {
          int repeat = repeats.merge(base, 1, Integer::sum);
          anchor = base + "-" + repeat;
        }
        anchors.add(anchor);
      }
    }
    return anchors;
  }

  /** GitHub's anchor of a heading's rendered text. */
  static String slug(String text) {
    return NOT_IN_ANCHOR.matcher(text.toLowerCase(Locale.ROOT)).replaceAll("").replace(' ', '-');
  }

  /** Every link destination of a page (relative or not), with its 1-based line, in line order. */
  static List<Map.Entry<Integer, String>> destinations(String markdown) {
    List<String> lines = outsideFences(markdown);
    List<Map.Entry<Integer, String>> found = new ArrayList<>();
    int start = 0;
    while (start < lines.size()) {
      if (lines.get(start) == null || lines.get(start).isBlank()) {
        start++;
        continue;
      }
      int end = start;
      while (end < lines.size() && lines.get(end) != null && !lines.get(end).isBlank()) {
        end++;
      }
      // A block of lines: code spans may wrap from one line to the next, but not past a blank one.
      String block = maskCodeSpans(String.join("\n", lines.subList(start, end)));
      for (Pattern pattern : List.of(INLINE_LINK, REFERENCE_DEFINITION, HTML_ATTRIBUTE)) {
        Matcher link = pattern.matcher(block);
        while (link.find()) {
          found.add(Map.entry(start + 1 + lineBreaksBefore(block, link.start()), link.group(1)));
        }
      }
      start = end;
    }
    found.sort(Map.Entry.comparingByKey());
    return found;
  }

  private static int lineBreaksBefore(String text, int offset) {
    return (int) text.substring(0, offset).chars().filter(c -> c == '\n').count();
  }

  private void checkPage(Path page, List<Problem> problems) throws IOException {
    Path shown = root.relativize(page);
    for (Map.Entry<Integer, String> link : destinations(read(page))) {
      String reason = brokenBecause(page, link.getValue());
      if (reason != null) {
        problems.add(new Problem(shown, link.getKey(), link.getValue(), reason));
      }
    }
  }

  /** Why a destination does not resolve, or null when it does (or is not relative). */
  private String brokenBecause(Path page, String destination) {
    String target =
        destination.startsWith("<")
            ? destination.substring(1, destination.length() - 1)
            : destination;
    if (SCHEME.matcher(target).find() || target.startsWith("//")) {
      return null;
    }
    int hash = target.indexOf('#');
    String path = decode(hash < 0 ? target : target.substring(0, hash));
    String anchor = hash < 0 ? null : decode(target.substring(hash + 1));
    Path file = path.isEmpty() ? page : page.getParent().resolve(path).normalize();
    if (!file.startsWith(root)) {
      return "leaves the repository";
    }
    if (!Files.exists(file)) {
      return "no such file: " + root.relativize(file);
    }
    if (anchor == null || anchor.isEmpty()) {
      return null;
    }
    if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".md")) {
      return Files.isRegularFile(file) && LINE_ANCHOR.matcher(anchor).matches()
          ? null
          : "#" + anchor + " points into " + root.relativize(file) + ", which has no headings";
    }
    Set<String> anchors = anchorsByPage.computeIfAbsent(file, this::anchorsOf);
    return anchors.contains(anchor)
        ? null
        : "no heading of "
            + root.relativize(file)
            + " produces #"
            + anchor
            + " (its anchors: "
            + String.join(", ", anchors)
            + ")";
  }

  private Set<String> anchorsOf(Path page) {
    try {
      return anchors(read(page));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + page, e);
    }
  }

  private static String read(Path page) throws IOException {
    return Files.readString(page, StandardCharsets.UTF_8);
  }

  /** The page's lines, with those of fenced code blocks (fences included) as null. */
  private static List<String> outsideFences(String markdown) {
    List<String> lines = new ArrayList<>(List.of(markdown.split("\\R", -1)));
    String fence = null;
    for (int i = 0; i < lines.size(); i++) {
      Matcher marker = FENCE.matcher(lines.get(i));
      if (fence == null && marker.matches()) {
        fence = marker.group(1);
        lines.set(i, null);
      } else if (fence != null) {
        if (marker.matches()
            && marker.group(1).charAt(0) == fence.charAt(0)
            && marker.group(1).length() >= fence.length()
            && marker.group(2).isBlank()) {
          fence = null;
        }
        lines.set(i, null);
      }
    }
    return lines;
  }

  /** The text with every code span blanked out (line breaks kept, so offsets keep their line). */
  private static String maskCodeSpans(String text) {
    StringBuilder masked = new StringBuilder(text);
    Matcher span = CODE_SPAN.matcher(text);
    while (span.find()) {
      for (int i = span.start(); i < span.end(); i++) {
        if (masked.charAt(i) != '\n') {
          masked.setCharAt(i, ' ');
        }
      }
    }
    return masked.toString();
  }

  /**
   * A heading's text as GitHub renders it: links and images as their text, no closing hashes, no
   * HTML tags.
   */
  private static String renderedText(String heading) {
    String text = CLOSING_HASHES.matcher(heading).replaceFirst("").strip();
    text = text.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
    return text.replaceAll("<[^>]+>", "");
  }

  /**
   * Percent-escapes decoded as UTF-8; a {@code +} stays a {@code +} (a path, not a form). A
   * malformed escape is left as written, so the file it names is not found and reported.
   */
  private static String decode(String text) {
    try {
      return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      return text;
    }
  }
}
