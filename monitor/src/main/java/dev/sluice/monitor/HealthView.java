package dev.sluice.monitor;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether the pipeline works.
 *
 * @param ok true when capture and every rule are working
 * @param reasons why not (one line per failing part); empty when ok
 */
public record HealthView(boolean ok, List<String> reasons) {
  public HealthView {
    reasons = List.copyOf(reasons);
  }

  /** Healthy unless capture or a rule has failed, or capture warns that it is not whole. */
  public static HealthView of(PipelineView pipeline, List<RuleView> rules) {
    List<String> reasons = new ArrayList<>();
    CaptureView capture = pipeline.capture();
    if (capture.failed()) {
      reasons.add(
          "capture failed" + (capture.lastError() == null ? "" : ": " + capture.lastError()));
    } else if (capture.warning() != null) {
      reasons.add("capture: " + capture.warning());
    }
    for (RuleView rule : rules == null ? List.<RuleView>of() : rules) {
      if (rule.failed()) {
        reasons.add(
            "rule "
                + rule.name()
                + " failed"
                + (rule.lastError() == null ? "" : ": " + rule.lastError()));
      }
    }
    return new HealthView(reasons.isEmpty(), reasons);
  }
}
