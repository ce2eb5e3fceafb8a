package dev.sluice.monitor;

import java.util.List;
import java.util.Map;

/**
 * An endpoint that changes something (promote a replica, pause a rule), registered by the wiring
 * with {@link MonitorServer.Builder#action}. It gets the same token check as every other endpoint;
 * the server reads at most {@link MonitorServer#MAX_BODY_BYTES} of the body.
 *
 * <p>Failures map to statuses: {@link java.util.NoSuchElementException} is 404 (an unknown name in
 * the path), {@link IllegalArgumentException} is 400 (bad request), {@link IllegalStateException}
 * is 409 (refused in the current state, e.g. a slave too far behind to promote), anything else is
 * 500; the exception's message is the response's {@code error}.
 */
@FunctionalInterface
public interface Action {

  /**
   * Does it and answers.
   *
   * @return the response body, serialised as JSON (a record, a map, a list, a string); an {@link
   *     Accepted} is answered 202 with its body
   */
  Object perform(Request request) throws Exception;

  /**
   * An answer that says the work goes on after it: answered {@code 202 Accepted} with {@code body}.
   */
  record Accepted(Object body) {}

  /**
   * A call of an action.
   *
   * @param pathParameters the values of the pattern's {@code {name}} segments, decoded
   * @param query the query parameters (the first value of each; {@code token} left out)
   * @param body the request body as text (UTF-8), empty when none
   */
  record Request(Map<String, String> pathParameters, Map<String, String> query, String body) {
    public Request {
      pathParameters = Map.copyOf(pathParameters);
      query = Map.copyOf(query);
    }
  }

  /**
   * A request body with problems, each at the path of its field: answered {@code 400 {"error":
   * "...", "problems": [{"path": "mode", "message": "..."}]}}.
   */
  final class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient List<Map<String, String>> problems;

    /**
     * @param problems each with {@code path} and {@code message}
     */
    public Invalid(String message, List<Map<String, String>> problems) {
      super(message);
      this.problems = List.copyOf(problems);
    }

    public List<Map<String, String>> problems() {
      return problems;
    }
  }
}
