package dev.sluice.monitor.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The dashboard: one HTML page with its style and script inlined, so it needs nothing else from the
 * server (or the internet) but the API.
 */
final class DashboardPage {
  private DashboardPage() {}

  /**
   * The page.
   *
   * @param origin what the figures come from, shown in the page's header
   */
  static byte[] render(String origin) {
    String html = resource("dashboard.html");
    html = html.replace("/*STYLE*/", resource("dashboard.css"));
    html = html.replace("/*SCRIPT*/", resource("dashboard.js"));
    html = html.replace("{{ORIGIN}}", escape(origin));
    return html.getBytes(StandardCharsets.UTF_8);
  }

  private static String resource(String name) {
    try (InputStream in = DashboardPage.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard resource " + name + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
