package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PgOutputCounterTest {
  @Test
  void insertsAndCommitsAreCountedEvenWhenTheirValuesHoldNewlines() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    begin(out);
    relation(out);
    insert(out, "a\nb");
    insert(out, "\n");
    commit(out);
    begin(out);
    insert(out, "c");
    commit(out);
    PgOutputCounter.Counts counts =
        PgOutputCounter.count(new ByteArrayInputStream(bytes.toByteArray()));
    assertThat(counts.inserts()).isEqualTo(3);
    assertThat(counts.transactions()).isEqualTo(2);
    assertThat(counts.updates()).isZero();
    assertThat(counts.deletes()).isZero();
  }

  @Test
  void somethingElseThanPgoutputIsRefused() {
    assertThatThrownBy(
            () ->
                PgOutputCounter.count(
                    new ByteArrayInputStream(
                        "table public.t: INSERT\n".getBytes(StandardCharsets.UTF_8))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("unknown message type");
  }

  private static void begin(DataOutputStream out) throws IOException {
    out.writeByte('B');
    out.writeLong(100);
    out.writeLong(200);
    out.writeInt(7);
    out.writeByte('\n');
  }

  private static void relation(DataOutputStream out) throws IOException {
    out.writeByte('R');
    out.writeInt(16384);
    cstring(out, "public");
    cstring(out, "t");
    out.writeByte('d');
    out.writeShort(2);
    for (String column : new String[] {"id", "note"}) {
      out.writeByte(1);
      cstring(out, column);
      out.writeInt(20);
      out.writeInt(-1);
    }
    out.writeByte('\n');
  }

  private static void insert(DataOutputStream out, String note) throws IOException {
    out.writeByte('I');
    out.writeInt(16384);
    out.writeByte('N');
    out.writeShort(2);
    out.writeByte('t');
    out.writeInt(1);
    out.writeByte('1');
    byte[] text = note.getBytes(StandardCharsets.UTF_8);
    out.writeByte('t');
    out.writeInt(text.length);
    out.write(text);
    out.writeByte('\n');
  }

  private static void commit(DataOutputStream out) throws IOException {
    out.writeByte('C');
    out.writeByte(0);
    out.writeLong(100);
    out.writeLong(300);
    out.writeLong(200);
    out.writeByte('\n');
  }

  private static void cstring(DataOutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
    out.writeByte(0);
  }
}
