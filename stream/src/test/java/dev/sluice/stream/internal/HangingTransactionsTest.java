package dev.sluice.stream.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class HangingTransactionsTest {
  private static final TopicPartition CHECKPOINTS = new TopicPartition("sluice-checkpoints", 0);
  private static final TopicPartition OTHER = new TopicPartition("k1.public.t", 2);

  private static Optional<TransactionDescription> coordinator(
      TransactionState state, long producerId, int epoch, TopicPartition... partitions) {
    return Optional.of(
        new TransactionDescription(
            1, state, producerId, epoch, 60_000, OptionalLong.of(0), Set.of(partitions)));
  }

  @Test
  void aTransactionItsCoordinatorHoldsOpenWithThePartitionIsLive() {
    assertThat(
            HangingTransactions.live(
                CHECKPOINTS, 7, 3, coordinator(TransactionState.ONGOING, 7, 3, CHECKPOINTS)))
        .isTrue();
  }

  @Test
  void aTransactionBeingCommittedOrAbortedIsLiveAtItsEpochAndTheNextOne() {
    for (TransactionState state :
        List.of(
            TransactionState.PREPARE_COMMIT,
            TransactionState.PREPARE_ABORT,
            TransactionState.PREPARE_EPOCH_FENCE)) {
      assertThat(HangingTransactions.live(CHECKPOINTS, 7, 3, coordinator(state, 7, 3))).isTrue();
      assertThat(HangingTransactions.live(CHECKPOINTS, 7, 3, coordinator(state, 7, 4))).isTrue();
      assertThat(HangingTransactions.live(CHECKPOINTS, 7, 3, coordinator(state, 7, 5))).isFalse();
    }
  }

  @Test
  void aTransactionItsCoordinatorHasEndedHangs() {
    // what a Kafka 4.3 broker left: the partition at epoch 61, the coordinator empty at 63
    for (TransactionState state :
        List.of(
            TransactionState.EMPTY,
            TransactionState.COMPLETE_COMMIT,
            TransactionState.COMPLETE_ABORT,
            TransactionState.UNKNOWN)) {
      assertThat(HangingTransactions.live(CHECKPOINTS, 1, 61, coordinator(state, 1, 63))).isFalse();
      assertThat(HangingTransactions.live(CHECKPOINTS, 1, 61, coordinator(state, 1, 61))).isFalse();
    }
  }

  @Test
  void anOngoingTransactionWithoutThePartitionOrAtALaterEpochHangs() {
    assertThat(
            HangingTransactions.live(
                CHECKPOINTS, 7, 3, coordinator(TransactionState.ONGOING, 7, 3, OTHER)))
        .isFalse();
    assertThat(
            HangingTransactions.live(
                CHECKPOINTS, 7, 3, coordinator(TransactionState.ONGOING, 7, 9, CHECKPOINTS)))
        .isFalse();
  }

  @Test
  void aProducerItsCoordinatorNoLongerKnowsOrHasGivenToAnotherIdHangs() {
    assertThat(HangingTransactions.live(CHECKPOINTS, 7, 3, Optional.empty())).isFalse();
    assertThat(
            HangingTransactions.live(
                CHECKPOINTS, 7, 3, coordinator(TransactionState.ONGOING, 8, 3, CHECKPOINTS)))
        .isFalse();
  }

  @Test
  void theMessageNamesEveryPartitionTheProducerTheCauseAndACommandPerPartition() {
    String message =
        HangingTransactions.describe(
            List.of(
                new HangingTransactions.Hanging(CHECKPOINTS, 122, 1, 61, 0, "sluice-k2-rule"),
                new HangingTransactions.Hanging(OTHER, 327, 1, 61, 0, "sluice-k2-rule")),
            "h1:9092,h2:9092");
    assertThat(message)
        .startsWith(
            "hanging transactions hold sluice-checkpoints-0 at offset 122, k1.public.t-2 at"
                + " offset 327 (producer id 1, epoch 61, transactional id sluice-k2-rule):")
        .contains("KAFKA-20734")
        .contains("read_committed consumers stop there")
        .contains(
            "kafka-transactions.sh --bootstrap-server h1:9092,h2:9092 abort --topic"
                + " sluice-checkpoints --partition 0 --producer-id 1 --producer-epoch 61"
                + " --coordinator-epoch 0; kafka-transactions.sh --bootstrap-server"
                + " h1:9092,h2:9092 abort --topic k1.public.t --partition 2 --producer-id 1"
                + " --producer-epoch 61 --coordinator-epoch 0");
  }
}
