package dev.sluice.cli;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a long-running command stop cleanly, with exit code 0, on SIGTERM and Ctrl-C (SIGINT). Uses
 * the JDK's {@code sun.misc.Signal} where it is available; otherwise a shutdown hook runs the same
 * action (and the JVM reports the signal's usual exit code).
 */
public final class Signals {
  private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  /** Runs {@code action} (once) when the process is asked to terminate. */
  public static void onTerminate(Runnable action) {
    Runnable once =
        new Runnable() {
          private boolean ran;

          @Override
          public synchronized void run() {
            if (!ran) {
              ran = true;
              action.run();
            }
          }
        };
    try {
      handle(once, "sluice-stop", "TERM", "INT");
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("signal handlers unavailable, using a shutdown hook", e);
      Runtime.getRuntime().addShutdownHook(new Thread(once, "sluice-stop"));
    }
  }

  /**
   * Runs {@code action} on a thread of its own at every SIGHUP (a reload, as Patroni, PgBouncer and
   * Prometheus take it). Returns false when SIGHUP cannot be handled here: the JDK has no signal
   * API (then SIGHUP stops the JVM as usual), or the process was started with SIGHUP ignored (under
   * {@code nohup}), which the JVM keeps.
   */
  public static boolean onHangup(Runnable action) {
    try {
      return handle(action, "sluice-reload", "HUP");
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("no SIGHUP handler here", e);
      return false;
    }
  }

  /**
   * Runs {@code action} on a new thread named {@code thread} whenever one of {@code signals}
   * arrives, through the JDK's {@code sun.misc.Signal}.
   *
   * @return false when one of the signals is ignored by the process (it was started with the signal
   *     ignored, as {@code nohup} does with SIGHUP): the JVM then leaves it ignored, and {@code
   *     action} never runs for it
   * @throws ReflectiveOperationException when this JDK has no such signal API
   */
  private static boolean handle(Runnable action, String thread, String... signals)
      throws ReflectiveOperationException {
    Class<?> signal = Class.forName("sun.misc.Signal");
    Class<?> handler = Class.forName("sun.misc.SignalHandler");
    Constructor<?> create = signal.getConstructor(String.class);
    Method handle = signal.getMethod("handle", signal, handler);
    InvocationHandler invocation =
        (proxy, method, args) ->
            switch (method.getName()) {
              case "handle" -> {
                new Thread(action, thread).start();
                yield null;
              }
              case "hashCode" -> System.identityHashCode(proxy);
              case "equals" -> proxy == args[0];
              default -> "sluice signal handler (" + thread + ")";
            };
    Object proxy =
        Proxy.newProxyInstance(
            Signals.class.getClassLoader(), new Class<?>[] {handler}, invocation);
    Object ignored = handler.getField("SIG_IGN").get(null);
    boolean installed = true;
    for (String name : signals) {
      if (handle.invoke(null, create.newInstance(name), proxy) == ignored) {
        installed = false;
      }
    }
    return installed;
  }
}
