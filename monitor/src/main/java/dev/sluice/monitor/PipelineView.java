package dev.sluice.monitor;

import java.util.Objects;

/**
 * The source side of the pipeline: capture from PostgreSQL into the journal.
 *
 * @param capture the capture engine
 * @param journal the local journal
 */
public record PipelineView(CaptureView capture, JournalView journal) {
  public PipelineView {
    Objects.requireNonNull(capture, "capture");
    Objects.requireNonNull(journal, "journal");
  }
}
