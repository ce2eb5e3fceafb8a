package dev.sluice.stream.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;

/**
 * Finds hanging transactions: a transaction still open on a partition although its coordinator has
 * ended it (or moved on), so that no commit or abort marker will ever reach that partition. A
 * {@code read_committed} consumer stops at its first record until an operator aborts it.
 *
 * <p>Kafka 4.x brokers leave one behind when a transaction ends while a partition it wrote has no
 * leader: the coordinator takes such a partition for deleted and skips its marker (KAFKA-20734;
 * seen here when a single broker is stopped with SIGTERM as a rule commits). Sluice never aborts
 * one itself: whether the coordinator committed or aborted the transaction elsewhere is not known,
 * and an abort can drop changes that other partitions show as committed. It names the partitions
 * and the command instead.
 */
final class HangingTransactions {
  private static final Set<TransactionState> OPEN =
      EnumSet.of(
          TransactionState.ONGOING,
          TransactionState.PREPARE_COMMIT,
          TransactionState.PREPARE_ABORT,
          TransactionState.PREPARE_EPOCH_FENCE);

  private HangingTransactions() {}

  /** One partition held by a hanging transaction, with what {@code kafka-transactions.sh} needs. */
  record Hanging(
      TopicPartition partition,
      long startOffset,
      long producerId,
      int producerEpoch,
      int coordinatorEpoch,
      String transactionalId) {

    /** The operator's command that aborts it ({@code <servers>}: the cluster's bootstrap list). */
    String abortCommand(String servers) {
      return "kafka-transactions.sh --bootstrap-server "
          + servers
          + " abort --topic "
          + partition.topic()
          + " --partition "
          + partition.partition()
          + " --producer-id "
          + producerId
          + " --producer-epoch "
          + producerEpoch
          + " --coordinator-epoch "
          + coordinatorEpoch;
    }
  }

  /**
   * Whether a transaction open on {@code partition} at the producer's {@code epoch} still has a
   * coordinator that will end it there: the coordinator holds it open for that producer, at that
   * epoch or the next (a commit or abort under transactions version 2 bumps the epoch before the
   * markers go out), and, while it is ongoing, with the partition among its own.
   *
   * @param coordinator what the coordinator says of the producer's transactional id; empty when it
   *     knows the producer id no more
   */
  static boolean live(
      TopicPartition partition,
      long producerId,
      int epoch,
      Optional<TransactionDescription> coordinator) {
    if (coordinator.isEmpty()) {
      return false;
    }
    TransactionDescription t = coordinator.get();
    if (t.producerId() != producerId
        || !OPEN.contains(t.state())
        || (t.producerEpoch() != epoch && t.producerEpoch() != epoch + 1)) {
      return false;
    }
    return t.state() != TransactionState.ONGOING || t.topicPartitions().contains(partition);
  }

  /**
   * The hanging transactions on {@code partitions}, in partition order.
   *
   * @param timeoutMillis how long each admin call may take
   */
  static List<Hanging> find(Admin admin, Collection<TopicPartition> partitions, long timeoutMillis)
      throws ExecutionException, InterruptedException, TimeoutException {
    if (partitions.isEmpty()) {
      return List.of();
    }
    Map<TopicPartition, PartitionProducerState> states =
        admin.describeProducers(partitions).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
    Map<TopicPartition, List<ProducerState>> open = new TreeMap<>(HangingTransactions::compare);
    states.forEach(
        (partition, state) -> {
          List<ProducerState> transactional =
              state.activeProducers().stream()
                  .filter(p -> p.currentTransactionStartOffset().isPresent())
                  .toList();
          if (!transactional.isEmpty()) {
            open.put(partition, transactional);
          }
        });
    if (open.isEmpty()) {
      return List.of();
    }
    Set<Long> producerIds =
        open.values().stream()
            .flatMap(List::stream)
            .map(ProducerState::producerId)
            .collect(Collectors.toSet());
    Map<Long, String> transactionalIds =
        admin
            .listTransactions(new ListTransactionsOptions().filterProducerIds(producerIds))
            .all()
            .get(timeoutMillis, TimeUnit.MILLISECONDS)
            .stream()
            .collect(
                Collectors.toMap(
                    TransactionListing::producerId,
                    TransactionListing::transactionalId,
                    (a, b) -> a));
    Map<String, TransactionDescription> descriptions =
        transactionalIds.isEmpty()
            ? Map.of()
            : admin
                .describeTransactions(transactionalIds.values())
                .all()
                .get(timeoutMillis, TimeUnit.MILLISECONDS);
    List<Hanging> candidates = new ArrayList<>();
    open.forEach(
        (partition, producers) -> {
          for (ProducerState p : producers) {
            String id = transactionalIds.get(p.producerId());
            Optional<TransactionDescription> coordinator =
                Optional.ofNullable(id == null ? null : descriptions.get(id));
            if (!live(partition, p.producerId(), p.producerEpoch(), coordinator)) {
              candidates.add(
                  new Hanging(
                      partition,
                      p.currentTransactionStartOffset().getAsLong(),
                      p.producerId(),
                      p.producerEpoch(),
                      p.coordinatorEpoch().orElse(-1),
                      id == null ? "unknown to its coordinator" : id));
            }
          }
        });
    if (candidates.isEmpty()) {
      return candidates;
    }
    // a transaction that ended as it should between the two questions has left its partitions
    // by now: hanging is what is still open there after its coordinator said it had ended
    Map<TopicPartition, PartitionProducerState> again =
        admin
            .describeProducers(candidates.stream().map(Hanging::partition).distinct().toList())
            .all()
            .get(timeoutMillis, TimeUnit.MILLISECONDS);
    return candidates.stream()
        .filter(
            h ->
                again.get(h.partition()).activeProducers().stream()
                    .anyMatch(
                        p ->
                            p.producerId() == h.producerId()
                                && p.producerEpoch() == h.producerEpoch()
                                && p.currentTransactionStartOffset().orElse(-1) == h.startOffset()))
        .toList();
  }

  /**
   * One message for an operator: what holds the partitions, why, and the commands that free them.
   */
  static String describe(List<Hanging> hanging, String servers) {
    StringBuilder s = new StringBuilder();
    s.append(hanging.size() == 1 ? "a hanging transaction holds " : "hanging transactions hold ")
        .append(
            hanging.stream()
                .map(h -> h.partition() + " at offset " + h.startOffset())
                .collect(Collectors.joining(", ")))
        .append(" (")
        .append(
            hanging.stream()
                .map(
                    h ->
                        "producer id "
                            + h.producerId()
                            + ", epoch "
                            + h.producerEpoch()
                            + ", transactional id "
                            + h.transactionalId())
                .distinct()
                .collect(Collectors.joining("; ")))
        .append(
            "): its coordinator has ended it but no marker reached the partition (a broker can"
                + " leave one when a partition has no leader as a transaction ends,"
                + " KAFKA-20734), so read_committed consumers stop there. Sluice does not abort"
                + " it (whether it was committed elsewhere is unknown); once an operator has"
                + " checked and aborted it the rule resumes: ")
        .append(
            hanging.stream().map(h -> h.abortCommand(servers)).collect(Collectors.joining("; ")));
    return s.toString();
  }

  private static int compare(TopicPartition a, TopicPartition b) {
    int topic = a.topic().compareTo(b.topic());
    return topic != 0 ? topic : Integer.compare(a.partition(), b.partition());
  }
}
