package dev.sluice.journal;

/**
 * A change does not fit in one journal entry (at most {@link JournalWriter#MAX_ENTRY_BYTES} bytes
 * encoded: the row images together). Permanent: the same change never fits.
 */
public final class ChangeTooLargeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ChangeTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }
}
