package dev.sluice.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.MessageInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads a JetStream stream back, message by message, as a consumer would see it. */
final class StreamMessages implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** One stored message. */
  record Message(
      long sequence,
      String subject,
      String msgId,
      String position,
      String rule,
      String key,
      JsonNode value) {
    String op() {
      return value.get("op").asText();
    }
  }

  final Connection connection;
  final JetStreamManagement management;

  StreamMessages(String url) throws IOException, InterruptedException {
    this.connection = Nats.connect(url);
    this.management = connection.jetStreamManagement();
  }

  /** Every message of the stream on subjects matching {@code filter}, in stream order. */
  List<Message> read(String stream, String filter) throws IOException, JetStreamApiException {
    List<Message> messages = new ArrayList<>();
    long next = 1;
    while (true) {
      MessageInfo info;
      try {
        info = management.getNextMessage(stream, next, filter);
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() == 10037) {
          return messages;
        }
        throw e;
      }
      var headers = info.getHeaders();
      messages.add(
          new Message(
              info.getSeq(),
              info.getSubject(),
              headers.getFirst("Nats-Msg-Id"),
              headers.getFirst("sluice.position"),
              headers.getFirst("sluice.rule"),
              headers.getFirst("sluice.key"),
              JSON.readTree(info.getData())));
      next = info.getSeq() + 1;
    }
  }

  /** Deletes a stream if it exists. */
  void deleteStream(String stream) throws IOException {
    try {
      management.deleteStream(stream);
    } catch (JetStreamApiException e) {
      // absent
    }
  }

  @Override
  public void close() throws InterruptedException {
    connection.close();
  }
}
