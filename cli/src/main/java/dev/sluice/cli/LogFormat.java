package dev.sluice.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * How log lines look: {@code text} (human-readable, the default) or {@code json} (one JSON object
 * per line, for containers and log collectors). Chosen with {@code sluice --log-format} or the
 * environment variable {@code SLUICE_LOG_FORMAT}; the option wins.
 *
 * <p>Switching reloads the logging configuration ({@code logback.xml}) with the property {@value
 * #PROPERTY}, which names the appender the root logger writes to. The choice lives in the logging
 * system's own context, not in this class.
 */
enum LogFormat {
  TEXT,
  JSON;

  /** The logging context property that names the appender. */
  static final String PROPERTY = "sluice.log.format";

  /** The environment variable that chooses the format when the option is not given. */
  static final String ENVIRONMENT = "SLUICE_LOG_FORMAT";

  String appender() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Makes every following log line use this format. Does nothing when it is already in use, or when
   * the logging backend is not logback.
   */
  void apply() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    String current = context.getProperty(PROPERTY);
    if (appender().equals(current == null ? TEXT.appender() : current)) {
      return;
    }
    URL configuration = configurationUrl();
    if (configuration == null) {
      return;
    }
    context.reset();
    context.putProperty(PROPERTY, appender());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(configuration);
    } catch (JoranException e) {
      throw new IllegalStateException("cannot reload the logging configuration: " + e, e);
    }
  }

  /**
   * The file logback configured itself from, found as logback finds it: the system property {@code
   * logback.configurationFile} (a URL, a file or a class path resource), else {@code
   * logback-test.xml}, else {@code logback.xml} on the class path.
   */
  private static URL configurationUrl() {
    ClassLoader loader = LogFormat.class.getClassLoader();
    String named = System.getProperty("logback.configurationFile");
    if (named != null) {
      try {
        return new URL(named);
      } catch (MalformedURLException notAUrl) {
        Path file = Path.of(named);
        try {
          return Files.exists(file) ? file.toUri().toURL() : loader.getResource(named);
        } catch (MalformedURLException e) {
          return null;
        }
      }
    }
    URL test = loader.getResource("logback-test.xml");
    return test != null ? test : loader.getResource("logback.xml");
  }
}
