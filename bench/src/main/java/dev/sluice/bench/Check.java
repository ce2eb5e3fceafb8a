package dev.sluice.bench;

/**
 * A count a repetition verified, so that a figure is never reported for work that was not done:
 * e.g. the rows a side received against the rows inserted. Immutable.
 *
 * @param scenario the scenario
 * @param subject the side whose count it is
 * @param what what was counted
 * @param expected the count that every row arriving gives
 * @param actual the count found
 */
public record Check(String scenario, String subject, String what, long expected, long actual) {
  public boolean passed() {
    return expected == actual;
  }
}
