package dev.sluice.topology.internal;

import dev.sluice.topology.NodeState;
import java.time.Duration;
import java.time.Instant;

/**
 * The state machine of one slave's {@link NodeState}, fed one probe result at a time: over its
 * tolerance it is stale at once; back under, it is catching-up until it has stayed under for the
 * hysteresis time, then up. Coming back from down goes through catching-up as well, so a node whose
 * connection flaps does not get reads in between.
 *
 * <p>Not thread-safe: the probe thread owns it.
 */
public final class Freshness {
  private Duration hysteresis;
  private NodeState state;
  private Instant underSince;

  public Freshness(Duration hysteresis) {
    this.hysteresis = hysteresis;
  }

  /** Changes the hysteresis from the next probe on (a node catching up keeps its start time). */
  public void hysteresis(Duration hysteresis) {
    this.hysteresis = hysteresis;
  }

  /** The state after a probe that could not reach the node. */
  public NodeState unreachable() {
    underSince = null;
    state = NodeState.DOWN;
    return state;
  }

  /** The state after a probe that measured the node within or over its tolerance. */
  public NodeState measured(boolean withinTolerance, Instant now) {
    if (!withinTolerance) {
      underSince = null;
      state = NodeState.STALE;
    } else if (state == null || state == NodeState.UP) {
      state = NodeState.UP;
    } else {
      if (underSince == null) {
        underSince = now;
      }
      state =
          Duration.between(underSince, now).compareTo(hysteresis) >= 0
              ? NodeState.UP
              : NodeState.CATCHING_UP;
    }
    if (state == NodeState.UP) {
      underSince = null;
    }
    return state;
  }

  /** The last state, or null before the first probe. */
  public NodeState state() {
    return state;
  }
}
