package dev.sluice.stream.internal;

import java.util.Map;

/**
 * The BEGIN or the END of a source transaction, as a rule sends it.
 *
 * @param status BEGIN or END
 * @param txId the source transaction id
 * @param position BEGIN: the journal position of the rule's first change of the transaction; END:
 *     that of the transaction's last change in the journal (which the rule may not send)
 * @param commitTimeMicros the source commit time, microseconds since 1970
 * @param lsn BEGIN: the first change's LSN; END: the commit's end LSN
 * @param eventCount END: how many changes of the transaction the rule sent; BEGIN: 0
 * @param dataCollections END: per table ({@code <schema>.<table>}), how many, in the order the
 *     tables first appeared; BEGIN: empty
 */
public record TransactionEvent(
    Status status,
    long txId,
    long position,
    long commitTimeMicros,
    long lsn,
    long eventCount,
    Map<String, Long> dataCollections) {

  public TransactionEvent {
    dataCollections =
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(dataCollections));
  }

  /** BEGIN or END. */
  public enum Status {
    BEGIN,
    END;

    /** In headers and ids: {@code begin}, {@code end}. */
    public String lowerCase() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
