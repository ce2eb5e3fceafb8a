package dev.sluice.bench;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Counts the row changes in what {@code pg_recvlogical} wrote from the {@code pgoutput} plugin
 * (protocol version 1): each message as the server sent it, followed by a newline. The messages are
 * parsed, not scanned, because their binary fields may hold any byte.
 */
public final class PgOutputCounter {
  /**
   * What one file held.
   *
   * @param inserts insert messages
   * @param updates update messages
   * @param deletes delete messages
   * @param transactions commit messages
   */
  public record Counts(long inserts, long updates, long deletes, long transactions) {}

  private PgOutputCounter() {}

  public static Counts count(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      return count(in);
    }
  }

  /**
   * @throws IOException when the stream is not pgoutput messages each followed by a newline
   */
  public static Counts count(InputStream stream) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    long inserts = 0;
    long updates = 0;
    long deletes = 0;
    long commits = 0;
    int type;
    while ((type = in.read()) != -1) {
      switch (type) {
        case 'B' -> in.skipNBytes(20);
        case 'C' -> {
          in.skipNBytes(25);
          commits++;
        }
        case 'O' -> {
          in.skipNBytes(8);
          skipString(in);
        }
        case 'R' -> {
          in.skipNBytes(4);
          skipString(in);
          skipString(in);
          in.skipNBytes(1);
          int columns = in.readUnsignedShort();
          for (int i = 0; i < columns; i++) {
            in.skipNBytes(1);
            skipString(in);
            in.skipNBytes(8);
          }
        }
        case 'Y' -> {
          in.skipNBytes(4);
          skipString(in);
          skipString(in);
        }
        case 'I' -> {
          in.skipNBytes(4);
          expect(in, 'N');
          skipTuple(in);
          inserts++;
        }
        case 'U' -> {
          in.skipNBytes(4);
          int next = in.readUnsignedByte();
          if (next == 'K' || next == 'O') {
            skipTuple(in);
            next = in.readUnsignedByte();
          }
          if (next != 'N') {
            throw new IOException("pgoutput: an update without its new tuple");
          }
          skipTuple(in);
          updates++;
        }
        case 'D' -> {
          in.skipNBytes(4);
          int kind = in.readUnsignedByte();
          if (kind != 'K' && kind != 'O') {
            throw new IOException("pgoutput: a delete without its old key");
          }
          skipTuple(in);
          deletes++;
        }
        case 'T' -> {
          int relations = in.readInt();
          in.skipNBytes(1 + 4L * relations);
        }
        default -> throw new IOException("pgoutput: unknown message type '" + (char) type + "'");
      }
      expect(in, '\n');
    }
    return new Counts(inserts, updates, deletes, commits);
  }

  private static void skipTuple(DataInputStream in) throws IOException {
    int columns = in.readUnsignedShort();
    for (int i = 0; i < columns; i++) {
      int kind = in.readUnsignedByte();
      if (kind == 't' || kind == 'b') {
        in.skipNBytes(in.readInt());
      } else if (kind != 'n' && kind != 'u') {
        throw new IOException("pgoutput: unknown column kind '" + (char) kind + "'");
      }
    }
  }

  private static void skipString(DataInputStream in) throws IOException {
    int b;
    while ((b = in.read()) != 0) {
      if (b == -1) {
        throw new EOFException("pgoutput: a string without its end");
      }
    }
  }

  private static void expect(DataInputStream in, char expected) throws IOException {
    int b = in.readUnsignedByte();
    if (b != expected) {
      throw new IOException(
          "pgoutput: expected '" + printable(expected) + "', found '" + printable((char) b) + "'");
    }
  }

  private static String printable(char c) {
    return c == '\n' ? "\\n" : String.valueOf(c);
  }
}
