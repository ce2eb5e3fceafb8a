package dev.sluice.apply.internal;

import java.util.List;

/**
 * Rows of one table in key order, each as canonical forms (see {@link Canonical}) of its key and of
 * its columns. Used by one thread; closing releases the cursor.
 */
public interface KeyedRows extends AutoCloseable {

  /** A row: its key forms and its column forms (the key columns included). */
  record Row(List<String> key, List<String> values) {}

  /** The next row, or null after the last. */
  Row next() throws Exception;

  @Override
  void close() throws Exception;
}
