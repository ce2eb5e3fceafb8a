package dev.sluice.topology.internal;

import dev.sluice.config.NodeRole;
import dev.sluice.config.RoutingStrategy;
import dev.sluice.topology.NodeState;
import dev.sluice.topology.RoutingDecision;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Picks the node for one read of one group from its latest {@link GroupView}:
 *
 * <ul>
 *   <li>{@code round-robin}: the fresh slaves in turn, in configuration order (a shared counter, so
 *       concurrent callers still rotate);
 *   <li>{@code least-lag}: the fresh slave with the fewest bytes behind (then the least time);
 *       slaves tied on that take turns, so caught-up slaves share the load;
 *   <li>{@code random}: a fresh slave chosen uniformly.
 * </ul>
 *
 * With no fresh slave the read goes to the master, even when the master is down (the caller then
 * fails to connect, which is the truth). Thread-safe and lock-free.
 */
public final class ReadRouter {
  private final AtomicLong turn = new AtomicLong();

  /** The endpoint for one read (the fast path of the routing DataSource). */
  public Endpoint pick(GroupView view) {
    List<GroupView.Candidate> fresh = view.fresh();
    if (fresh.isEmpty()) {
      return view.master();
    }
    return fresh.get(index(view.routing(), fresh)).endpoint();
  }

  /** The decision for one read, with the reason in words (for the HTTP API and logs). */
  public RoutingDecision decide(GroupView view) {
    List<GroupView.Candidate> fresh = view.fresh();
    if (fresh.isEmpty()) {
      Endpoint master = view.master();
      String reason =
          "no fresh slave"
              + (view.whyNoFresh().isEmpty() ? "" : " (" + view.whyNoFresh() + ")")
              + "; reads go to the master"
              + (view.masterState() == NodeState.DOWN ? ", which is down" : "");
      return decision(view, master, NodeRole.MASTER, reason);
    }
    GroupView.Candidate chosen = fresh.get(index(view.routing(), fresh));
    String reason =
        view.routing().yamlName()
            + " over "
            + fresh.size()
            + (fresh.size() == 1 ? " fresh slave" : " fresh slaves")
            + (view.routing() == RoutingStrategy.LEAST_LAG
                ? " (" + Lsn.bytes(chosen.lagBytes()) + " behind)"
                : "")
            + (view.masterState() == NodeState.DOWN ? "; the master is down" : "");
    return decision(view, chosen.endpoint(), NodeRole.SLAVE, reason);
  }

  private static RoutingDecision decision(
      GroupView view, Endpoint node, NodeRole role, String reason) {
    return new RoutingDecision(
        view.name(), node.name(), role, node.host(), node.port(), node.database(), reason);
  }

  private int index(RoutingStrategy strategy, List<GroupView.Candidate> fresh) {
    int size = fresh.size();
    if (size == 1) {
      return 0;
    }
    return switch (strategy) {
      case ROUND_ROBIN -> (int) Math.floorMod(turn.getAndIncrement(), (long) size);
      case RANDOM -> ThreadLocalRandom.current().nextInt(size);
      case LEAST_LAG -> leastLag(fresh);
    };
  }

  private int leastLag(List<GroupView.Candidate> fresh) {
    int size = fresh.size();
    long bestBytes = Long.MAX_VALUE;
    long bestMillis = Long.MAX_VALUE;
    int ties = 0;
    for (int i = 0; i < size; i++) {
      GroupView.Candidate c = fresh.get(i);
      if (c.lagBytes() < bestBytes || c.lagBytes() == bestBytes && c.lagMillis() < bestMillis) {
        bestBytes = c.lagBytes();
        bestMillis = c.lagMillis();
        ties = 1;
      } else if (c.lagBytes() == bestBytes && c.lagMillis() == bestMillis) {
        ties++;
      }
    }
    int wanted = ties == 1 ? 0 : (int) Math.floorMod(turn.getAndIncrement(), (long) ties);
    for (int i = 0; i < size; i++) {
      GroupView.Candidate c = fresh.get(i);
      if (c.lagBytes() == bestBytes && c.lagMillis() == bestMillis && wanted-- == 0) {
        return i;
      }
    }
    return 0;
  }
}
