package dev.sluice.topology;

/**
 * A promotion was refused because the node is further behind its master than its {@code
 * lagTolerance} allows. Retriable: it may catch up; {@code --force} promotes anyway (and loses what
 * it has not replayed). Nothing was changed: a fenced master is unfenced again.
 */
public final class PromotionRefusedException extends TopologyException {
  private static final long serialVersionUID = 1L;

  private final long lagBytes;
  private final long lagMillis;

  public PromotionRefusedException(String message, long lagBytes, long lagMillis) {
    super(message);
    this.lagBytes = lagBytes;
    this.lagMillis = lagMillis;
  }

  public long lagBytes() {
    return lagBytes;
  }

  public long lagMillis() {
    return lagMillis;
  }

  @Override
  public boolean isRetriable() {
    return true;
  }
}
