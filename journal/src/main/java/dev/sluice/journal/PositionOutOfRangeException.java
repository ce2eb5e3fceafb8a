package dev.sluice.journal;

import dev.sluice.config.SetupException;

/** A journal position, LSN or time that the journal does not hold (any more, or yet). */
public final class PositionOutOfRangeException extends SetupException {
  private static final long serialVersionUID = 1L;

  public PositionOutOfRangeException(String message) {
    super(message);
  }
}
