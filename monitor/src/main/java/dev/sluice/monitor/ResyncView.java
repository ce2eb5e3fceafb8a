package dev.sluice.monitor;

import java.time.Instant;
import java.util.List;

/**
 * A rule's latest resync ({@code POST /api/rules/{name}/resync}): a mirror copy of its tables taken
 * while everything else runs.
 *
 * @param id the resync's id, as the request's answer gave it
 * @param state {@code requested} (capture is asked for a snapshot), {@code reading} (capture reads
 *     the tables into the journal), {@code applying} (every row is journaled; the rule applies
 *     them), {@code completed} (the target's tables equal the rows read, rows read by no one
 *     removed) or {@code failed}
 * @param tables the source tables it copies
 * @param rowsRead rows capture has journaled for it
 * @param rowsApplied rows the rule has written for it
 * @param requested when it was asked for
 * @param finished when it completed or failed, or null
 * @param error why it failed, or null
 */
public record ResyncView(
    String id,
    String state,
    List<String> tables,
    long rowsRead,
    long rowsApplied,
    Instant requested,
    Instant finished,
    String error) {

  public ResyncView {
    tables = tables == null ? List.of() : List.copyOf(tables);
  }

  /** Whether it is still going on. */
  public boolean running() {
    return !state.equals("completed") && !state.equals("failed");
  }
}
