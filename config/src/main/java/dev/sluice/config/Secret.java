package dev.sluice.config;

import java.util.Objects;

/**
 * A password or token. It prints as {@value #MASK} everywhere; only {@link #reveal()} gives the
 * value, and only code that hands it to a driver or compares it should call that.
 */
public final class Secret {
  public static final String MASK = "<masked>";

  private final String value;

  private Secret(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  public static Secret of(String value) {
    return new Secret(value);
  }

  /** Returns the value itself. Never log or serve it. */
  public String reveal() {
    return value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Secret secret && secret.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return MASK;
  }
}
